package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
)

// failingAPI answers every call with err, wrapped the way the SDK wraps errors.
type failingAPI struct{ err error }

func (f failingAPI) wrap(op string) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: op, Err: f.err}
}

func (f failingAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, f.wrap("GetItem")
}

func (f failingAPI) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, f.wrap("PutItem")
}

func (f failingAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, f.wrap("UpdateItem")
}

func (f failingAPI) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, f.wrap("DeleteItem")
}

func (f failingAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, f.wrap("Query")
}

func responseError(status int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want apperr.Kind
	}{
		{"condition failed", &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}, apperr.Conflict},
		{"transaction condition failed", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
			{Code: aws.String("None")}, {Code: aws.String("ConditionalCheckFailed")}}}, apperr.Conflict},
		{"transaction conflict", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
			{Code: aws.String("TransactionConflict")}}}, apperr.Conflict},
		{"transaction throttled", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
			{Code: aws.String("ThrottlingError")}}}, apperr.Transient},
		{"transaction validation", &types.TransactionCanceledException{CancellationReasons: []types.CancellationReason{
			{Code: aws.String("ValidationError")}}}, apperr.Internal},
		{"provisioned throughput", &types.ProvisionedThroughputExceededException{}, apperr.Transient},
		{"request limit", &types.RequestLimitExceeded{}, apperr.Transient},
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException"}, apperr.Transient},
		{"internal server error", responseError(500, &types.InternalServerError{}), apperr.Transient},
		{"service unavailable", responseError(503, errors.New("unavailable")), apperr.Transient},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, apperr.Transient},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), apperr.Transient},
		{"missing table", responseError(400, &types.ResourceNotFoundException{}), apperr.Internal},
		{"validation", responseError(400, &smithy.GenericAPIError{Code: "ValidationException"}), apperr.Internal},
		{"unknown", errors.New("boom"), apperr.Internal},
	}
	ctx := context.Background()
	now := time.Now()
	k := channel.Key{Surface: channel.Messenger, Account: "1234", User: "5678"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := dynamo.New(failingAPI{tt.err}, "frontdesk")
			// A lost condition means "not found" or "already there" to some methods; the
			// kinds of errors a caller sees from them are checked by the conformance suite.
			if tt.want == apperr.Conflict {
				err := s.PutConversation(ctx, &conversation.Conversation{Key: k, Status: conversation.Bot, ExpiresAt: now})
				if got := apperr.KindOf(err); got != tt.want {
					t.Errorf("PutConversation kind = %v, want %v (%v)", got, tt.want, err)
				}
				return
			}
			_, getErr := s.GetConversation(ctx, k)
			_, seenErr := s.MarkSeen(ctx, "wamid.x", now)
			_, _, claimErr := s.ClaimSend(ctx, dedup.Send{Key: "k", ExpiresAt: now}, now)
			_, listErr := s.ConversationsByStatus(ctx, conversation.Escalated, 10)
			for name, err := range map[string]error{
				"GetConversation": getErr, "MarkSeen": seenErr, "ClaimSend": claimErr, "ConversationsByStatus": listErr,
				"PutConversation":    s.PutConversation(ctx, &conversation.Conversation{Key: k, Status: conversation.Bot, ExpiresAt: now}),
				"DeleteConversation": s.DeleteConversation(ctx, k),
				"CompleteSend":       s.CompleteSend(ctx, "k", "m"),
				"ReleaseSend":        s.ReleaseSend(ctx, "k"),
			} {
				if got := apperr.KindOf(err); got != tt.want {
					t.Errorf("%s kind = %v, want %v (%v)", name, got, tt.want, err)
				}
			}
		})
	}
}
