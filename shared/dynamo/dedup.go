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
	"github.com/frontdesk-app/frontdesk/shared/dedup"
)

// seenItem records an inbound event id.
type seenItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	ExpiresAt time.Time `dynamodbav:"expiresAt,unixtime"`
}

// sendItem is an outbound send reservation.
type sendItem struct {
	PK        string          `dynamodbav:"pk"`
	SK        string          `dynamodbav:"sk"`
	Key       string          `dynamodbav:"key"`
	State     dedup.SendState `dynamodbav:"state"`
	MessageID string          `dynamodbav:"messageId,omitempty"`
	// ReservedAt is in Unix nanoseconds: a number, so the stale-claim condition can compare it.
	ReservedAt int64     `dynamodbav:"reservedAt"`
	ExpiresAt  time.Time `dynamodbav:"expiresAt,unixtime"`
}

const (
	seenSK = "EVENT"
	sendSK = "SENT"
)

func sendKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: "SENT#" + key},
		attrSK: &types.AttributeValueMemberS{Value: sendSK},
	}
}

// absentOrExpired is the condition of writes that may create an item.
func absentOrExpired(now time.Time) expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name(attrPK)).
		Or(expression.Name(attrExpiresAt).LessThanEqual(expression.Value(now.Unix())))
}

// ForgetSeen deletes the record of id.
func (s *Store) ForgetSeen(ctx context.Context, id string) error {
	const op apperr.Op = "dynamo.ForgetSeen"
	return s.deleteItem(ctx, op, "EVENT#"+id, seenSK)
}

// MarkSeen records id until expiresAt and reports whether it was not already recorded.
func (s *Store) MarkSeen(ctx context.Context, id string, expiresAt time.Time) (bool, error) {
	const op apperr.Op = "dynamo.MarkSeen"
	if id == "" || expiresAt.IsZero() {
		return false, apperr.E(op, apperr.Invalid, "event id and expiry are required")
	}
	item, err := attributevalue.MarshalMap(seenItem{PK: "EVENT#" + id, SK: seenSK, ExpiresAt: expiresAt})
	if err != nil {
		return false, apperr.Wrap(op, apperr.Internal, err, "encode event")
	}
	return s.putNew(ctx, op, item)
}

// ClaimSend reserves send.Key as Pending unless a live record exists that is Sent or was
// reserved at or after staleBefore; then it returns that record and ok=false. A zero
// send.ReservedAt is set to the store's clock.
func (s *Store) ClaimSend(ctx context.Context, send dedup.Send, staleBefore time.Time) (*dedup.Send, bool, error) {
	const op apperr.Op = "dynamo.ClaimSend"
	if send.Key == "" || send.ExpiresAt.IsZero() {
		return nil, false, apperr.E(op, apperr.Invalid, "send key and expiry are required")
	}
	// A refused claim whose record then vanishes (released or expired in between) is tried
	// again; the loop is bounded because each round needs a concurrent writer to lose.
	for range 5 {
		existing, ok, err := s.claimSend(ctx, op, send, staleBefore)
		if ok || existing != nil || err != nil {
			return existing, ok, err
		}
	}
	return nil, false, apperr.E(op, apperr.Conflict, "send reservation keeps changing")
}

func (s *Store) claimSend(ctx context.Context, op apperr.Op, send dedup.Send, staleBefore time.Time) (*dedup.Send, bool, error) {
	now := s.now()
	if send.ReservedAt.IsZero() {
		send.ReservedAt = now
	}
	item, err := attributevalue.MarshalMap(sendItem{
		PK: "SENT#" + send.Key, SK: sendSK, Key: send.Key, State: dedup.Pending,
		ReservedAt: send.ReservedAt.UnixNano(), ExpiresAt: send.ExpiresAt,
	})
	if err != nil {
		return nil, false, apperr.Wrap(op, apperr.Internal, err, "encode send")
	}
	stale := expression.Name("state").Equal(expression.Value(dedup.Pending)).
		And(expression.Name("reservedAt").LessThan(expression.Value(staleBefore.UnixNano())))
	expr, err := expression.NewBuilder().WithCondition(absentOrExpired(now).Or(stale)).Build()
	if err != nil {
		return nil, false, apperr.Wrap(op, apperr.Internal, err, "build condition")
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                item,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil, true, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return nil, false, fail(op, err, "reserve send")
	}
	old := ccf.Item
	if old == nil {
		// The server did not return the item that failed the condition: read it.
		out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.table), Key: sendKey(send.Key), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, false, fail(op, err, "read send")
		}
		old = out.Item
	}
	existing, err := s.decodeSend(op, old)
	return existing, false, err
}

// decodeSend returns the live send in item, or nil.
func (s *Store) decodeSend(op apperr.Op, item map[string]types.AttributeValue) (*dedup.Send, error) {
	if item == nil {
		return nil, nil
	}
	var it sendItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode send")
	}
	if !live(it.ExpiresAt, s.now()) {
		return nil, nil
	}
	return &dedup.Send{Key: it.Key, State: it.State, MessageID: it.MessageID,
		ReservedAt: time.Unix(0, it.ReservedAt), ExpiresAt: it.ExpiresAt}, nil
}

// CompleteSend marks the live reservation of key Sent with the platform's message id, or
// returns NotFound.
func (s *Store) CompleteSend(ctx context.Context, key, messageID string) error {
	const op apperr.Op = "dynamo.CompleteSend"
	if key == "" {
		return apperr.E(op, apperr.Invalid, "send key is required")
	}
	update := expression.Set(expression.Name("state"), expression.Value(dedup.Sent))
	if messageID == "" {
		update = update.Remove(expression.Name("messageId"))
	} else {
		update = update.Set(expression.Name("messageId"), expression.Value(messageID))
	}
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.Name(attrExpiresAt).GreaterThan(expression.Value(s.now().Unix())))
	_, err := s.update(ctx, op, sendKey(key), update, cond, types.ReturnValueNone)
	switch {
	case err == nil:
		return nil
	case apperr.Is(err, apperr.Conflict):
		return apperr.Wrap(op, apperr.NotFound, err, "no reservation for this send")
	}
	return fail(op, err, "complete send")
}

// ReleaseSend drops a Pending reservation; a Sent or absent record is left as it is.
func (s *Store) ReleaseSend(ctx context.Context, key string) error {
	const op apperr.Op = "dynamo.ReleaseSend"
	if key == "" {
		return apperr.E(op, apperr.Invalid, "send key is required")
	}
	expr, err := expression.NewBuilder().
		WithCondition(expression.Name("state").Equal(expression.Value(dedup.Pending))).Build()
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "build condition")
	}
	_, err = s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       sendKey(key),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if err != nil && kindOf(err) != apperr.Conflict {
		return fail(op, err, "release send")
	}
	return nil
}
