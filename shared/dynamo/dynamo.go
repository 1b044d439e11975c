package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/awserr"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
)

// API is the part of the DynamoDB client the store uses; *dynamodb.Client satisfies it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Attribute and index names of the table (HELPERS.md, "Fixed names").
const (
	attrPK        = "pk"
	attrSK        = "sk"
	attrGSI1PK    = "gsi1pk"
	attrGSI1SK    = "gsi1sk"
	attrGSI2PK    = "gsi2pk"
	attrGSI2SK    = "gsi2sk"
	attrExpiresAt = "expiresAt"

	// IndexByThread finds a conversation from its Slack thread.
	IndexByThread = "byThread"
	// IndexByStatus lists conversations of a status by update time.
	IndexByStatus = "byStatus"
)

// Store is the DynamoDB store.
type Store struct {
	api   API
	table string
	// Now returns the current time; it decides expiry. New sets it to time.Now.
	Now func() time.Time
}

var (
	_ conversation.Store = (*Store)(nil)
	_ dedup.Store        = (*Store)(nil)
)

// New returns a store on the table.
func New(api API, table string) *Store {
	return &Store{api: api, table: table, Now: time.Now}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// live reports whether an item expiring at exp still exists at now, in whole epoch seconds as
// the conditions compare them.
func live(exp, now time.Time) bool { return exp.Unix() > now.Unix() }

// fail wraps an SDK error with the kind its cause calls for.
func fail(op apperr.Op, err error, msg string) error {
	return apperr.Wrap(op, kindOf(err), err, msg)
}

// Throttling error codes: the SDK retries them, and what still fails may pass later.
var throttled = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"ThrottlingError":                        true, // a transaction cancellation reason
	"LimitExceededException":                 true,
}

// kindOf classifies an SDK error.
func kindOf(err error) apperr.Kind {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return apperr.Conflict
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		kind := apperr.Internal
		for _, r := range tce.CancellationReasons {
			switch code := deref(r.Code); {
			case code == "ConditionalCheckFailed" || code == "TransactionConflict":
				return apperr.Conflict
			case throttled[code]:
				kind = apperr.Transient
			}
		}
		return kind
	}
	if awserr.Transient(err, throttled) {
		return apperr.Transient
	}
	return apperr.Internal
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// getItem reads the item key (strongly consistent) into a T, or returns nil when there is none;
// what names the item's kind in errors. Whether an item found is live is the caller's check.
func getItem[T any](ctx context.Context, s *Store, op apperr.Op, key map[string]types.AttributeValue, what string) (*T, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fail(op, err, "read "+what)
	}
	if out.Item == nil {
		return nil, nil
	}
	var it T
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode "+what)
	}
	return &it, nil
}

// putIf runs one conditional PutItem. A failed condition is a Conflict; other errors are
// classified as every request's are.
func (s *Store) putIf(ctx context.Context, op apperr.Op, item map[string]types.AttributeValue, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "build condition")
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if err != nil {
		if kindOf(err) == apperr.Conflict {
			return apperr.Wrap(op, apperr.Conflict, err, "condition failed")
		}
		return fail(op, err, "put item")
	}
	return nil
}

// putNew writes item unless a live item has its key, and reports whether it wrote it. An
// expired item DynamoDB has not deleted yet counts as absent.
func (s *Store) putNew(ctx context.Context, op apperr.Op, item map[string]types.AttributeValue) (bool, error) {
	switch err := s.putIf(ctx, op, item, absentOrExpired(s.now())); {
	case err == nil:
		return true, nil
	case apperr.Is(err, apperr.Conflict):
		return false, nil
	default:
		return false, err
	}
}

// updateLive runs update on the item pk/sk, which must be absent or live. An expired item that
// DynamoDB has not deleted yet is deleted first and the update runs again, so nothing of it
// outlives its expiry.
func (s *Store) updateLive(ctx context.Context, op apperr.Op, pk, sk string, update expression.UpdateBuilder) error {
	cond := expression.AttributeNotExists(expression.Name(attrPK)).
		Or(expression.Name(attrExpiresAt).GreaterThan(expression.Value(s.now().Unix())))
	_, err := s.update(ctx, op, itemKey(pk, sk), update, cond, types.ReturnValueNone)
	if apperr.Is(err, apperr.Conflict) {
		if err := s.deleteItem(ctx, op, pk, sk); err != nil {
			return err
		}
		_, err = s.update(ctx, op, itemKey(pk, sk), update, cond, types.ReturnValueNone)
	}
	return err
}

// update runs one conditional UpdateItem. A failed condition is a Conflict; other errors are
// classified as every request's are.
func (s *Store) update(ctx context.Context, op apperr.Op, key map[string]types.AttributeValue, update expression.UpdateBuilder, cond expression.ConditionBuilder, ret types.ReturnValue) (*dynamodb.UpdateItemOutput, error) {
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "build update")
	}
	out, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key,
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              ret,
	})
	if err != nil {
		if kindOf(err) == apperr.Conflict {
			return nil, apperr.Wrap(op, apperr.Conflict, err, "condition failed")
		}
		return nil, fail(op, err, "update item")
	}
	return out, nil
}

// Table is the name of the store's table.
func (s *Store) Table() string { return s.table }
