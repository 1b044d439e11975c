package dynamo

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

const conversationSK = "META"

// conversationItem is a conversation as stored: the conversation's fields, its keys and its
// index attributes. gsi1 is set only while the conversation has a Slack thread, so only those
// items are in the byThread index.
type conversationItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK string `dynamodbav:"gsi1sk,omitempty"`
	GSI2PK string `dynamodbav:"gsi2pk"`
	GSI2SK string `dynamodbav:"gsi2sk"`

	Surface          channel.Surface     `dynamodbav:"surface"`
	Account          string              `dynamodbav:"account"`
	User             string              `dynamodbav:"user"`
	Status           conversation.Status `dynamodbav:"status"`
	Locale           string              `dynamodbav:"locale,omitempty"`
	LastInboundAt    time.Time           `dynamodbav:"lastInboundAt"`
	Misses           int                 `dynamodbav:"misses,omitempty"`
	Pending          []string            `dynamodbav:"pending,omitempty"`
	SlackChannel     string              `dynamodbav:"slackChannel,omitempty"`
	ThreadTS         string              `dynamodbav:"threadTs,omitempty"`
	Agent            string              `dynamodbav:"agent,omitempty"`
	EscalationReason string              `dynamodbav:"escalationReason,omitempty"`
	EscalatedAt      time.Time           `dynamodbav:"escalatedAt"`
	ClaimedAt        time.Time           `dynamodbav:"claimedAt"`
	AnnouncedAt      time.Time           `dynamodbav:"announcedAt"`
	WarnedAt         time.Time           `dynamodbav:"warnedAt"`
	FAQOfferedAt     time.Time           `dynamodbav:"faqOfferedAt,omitempty"`
	CommentID        string              `dynamodbav:"commentId,omitempty"`
	PrivateReplied   string              `dynamodbav:"privateReplied,omitempty"`
	Referral         *channel.Referral   `dynamodbav:"referral,omitempty"`
	Lead             *conversation.Lead  `dynamodbav:"lead,omitempty"`
	CustomerName     string              `dynamodbav:"customerName,omitempty"`
	Processed        []string            `dynamodbav:"processed,omitempty"`
	CreatedAt        time.Time           `dynamodbav:"createdAt"`
	UpdatedAt        time.Time           `dynamodbav:"updatedAt"`
	ExpiresAt        time.Time           `dynamodbav:"expiresAt,unixtime"`
	Version          int64               `dynamodbav:"version"`

	// The cross-channel follow-up (shared/conversation/followup.go).
	FollowUp *conversation.FollowUp `dynamodbav:"followUp,omitempty"`
	Linked   *channel.Key           `dynamodbav:"linked,omitempty"`

	// The processing lease (conversation.Lease); leaseAt in Unix nanoseconds so that the
	// stale-lease condition can compare it.
	LeaseEvent  string `dynamodbav:"leaseEvent,omitempty"`
	LeaseHolder string `dynamodbav:"leaseHolder,omitempty"`
	LeaseAt     int64  `dynamodbav:"leaseAt,omitempty"`
	// LeaseDone lists the calls made under the lease as "<call key>\n<platform id>": a list
	// grows with list_append, where a map could not take call keys with dots as its keys.
	LeaseDone []string `dynamodbav:"leaseDone,omitempty"`
}

func conversationPK(k channel.Key) string { return "CONV#" + k.String() }

func threadPK(slackChannel, threadTS string) string { return "THREAD#" + slackChannel + "#" + threadTS }

func statusPK(s conversation.Status) string { return "STATUS#" + string(s) }

// statusSK orders the byStatus index: the update time, fixed-width so that it sorts as a
// string, then the conversation key for a stable order among equal times.
func statusSK(updatedAt time.Time, k channel.Key) string {
	return updatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + k.String()
}

func conversationKey(k channel.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: conversationPK(k)},
		attrSK: &types.AttributeValueMemberS{Value: conversationSK},
	}
}

func toItem(c *conversation.Conversation, version int64) conversationItem {
	it := conversationItem{
		PK: conversationPK(c.Key), SK: conversationSK,
		GSI2PK: statusPK(c.Status), GSI2SK: statusSK(c.UpdatedAt, c.Key),
		Surface: c.Key.Surface, Account: c.Key.Account, User: c.Key.User,
		Status: c.Status, Locale: c.Locale, LastInboundAt: c.LastInboundAt, Misses: c.Misses,
		Pending: c.Pending, SlackChannel: c.SlackChannel, ThreadTS: c.ThreadTS, Agent: c.Agent,
		CommentID: c.CommentID, PrivateReplied: c.PrivateReplied, EscalationReason: c.EscalationReason, EscalatedAt: c.EscalatedAt, ClaimedAt: c.ClaimedAt,
		AnnouncedAt: c.AnnouncedAt, WarnedAt: c.WarnedAt, FAQOfferedAt: c.FAQOfferedAt, Referral: c.Referral, Processed: c.Processed,
		FollowUp: c.FollowUp, Linked: c.Linked, Lead: c.Lead, CustomerName: c.CustomerName,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ExpiresAt: c.ExpiresAt, Version: version,
	}
	// Empty lists are left out, so they read back as nil (as the embedded store's do).
	if len(it.Pending) == 0 {
		it.Pending = nil
	}
	if len(it.Processed) == 0 {
		it.Processed = nil
	}
	if c.SlackChannel != "" && c.ThreadTS != "" {
		it.GSI1PK, it.GSI1SK = threadPK(c.SlackChannel, c.ThreadTS), it.PK
	}
	if l := c.Lease; l != nil {
		it.LeaseEvent, it.LeaseHolder, it.LeaseAt = l.Event, l.Holder, l.At.UnixNano()
		for k, v := range l.Done {
			it.LeaseDone = append(it.LeaseDone, doneEntry(k, v))
		}
		slices.Sort(it.LeaseDone)
	}
	return it
}

func (it *conversationItem) conversation() *conversation.Conversation {
	return &conversation.Conversation{
		Key:    channel.Key{Surface: it.Surface, Account: it.Account, User: it.User},
		Status: it.Status, Locale: it.Locale, LastInboundAt: it.LastInboundAt, Misses: it.Misses,
		Pending: it.Pending, SlackChannel: it.SlackChannel, ThreadTS: it.ThreadTS, Agent: it.Agent,
		CommentID: it.CommentID, PrivateReplied: it.PrivateReplied, EscalationReason: it.EscalationReason, EscalatedAt: it.EscalatedAt, ClaimedAt: it.ClaimedAt,
		AnnouncedAt: it.AnnouncedAt, WarnedAt: it.WarnedAt, FAQOfferedAt: it.FAQOfferedAt, Referral: it.Referral, Processed: it.Processed,
		FollowUp: it.FollowUp, Linked: it.Linked, Lead: it.Lead, CustomerName: it.CustomerName,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, ExpiresAt: it.ExpiresAt, Version: it.Version,
		Lease: it.lease(),
	}
}

func (it *conversationItem) lease() *conversation.Lease {
	if it.LeaseEvent == "" {
		return nil
	}
	return &conversation.Lease{Event: it.LeaseEvent, Holder: it.LeaseHolder, At: time.Unix(0, it.LeaseAt).UTC(), Done: it.done()}
}

func doneEntry(callKey, id string) string { return callKey + "\n" + id }

func (it *conversationItem) done() map[string]string {
	done := map[string]string{}
	for _, e := range it.LeaseDone {
		if k, v, ok := strings.Cut(e, "\n"); ok {
			done[k] = v
		}
	}
	return done
}

// GetConversation reads the conversation (strongly consistent), or returns NotFound.
func (s *Store) GetConversation(ctx context.Context, key channel.Key) (*conversation.Conversation, error) {
	const op apperr.Op = "dynamo.GetConversation"
	if err := conversation.ValidateKey(op, key); err != nil {
		return nil, err
	}
	c, err := s.getConversation(ctx, op, key)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, apperr.E(op, apperr.NotFound, "conversation not found")
	}
	return c, nil
}

// getConversation returns the live conversation or nil.
func (s *Store) getConversation(ctx context.Context, op apperr.Op, key channel.Key) (*conversation.Conversation, error) {
	it, err := getItem[conversationItem](ctx, s, op, conversationKey(key), "conversation")
	if err != nil || it == nil {
		return nil, err
	}
	if !live(it.ExpiresAt, s.now()) || it.Status == "" {
		return nil, nil // expired, or the placeholder of a conversation not yet saved
	}
	return it.conversation(), nil
}

// PutConversation writes c if c.Version matches the live stored version (0: no live item), and
// then increments c.Version. Otherwise it returns Conflict and leaves c unchanged.
func (s *Store) PutConversation(ctx context.Context, c *conversation.Conversation) error {
	const op apperr.Op = "dynamo.PutConversation"
	if err := conversation.Validate(op, c); err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(toItem(c, c.Version+1))
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode conversation")
	}
	now := expression.Value(s.now().Unix())
	var cond expression.ConditionBuilder
	if c.Version == 0 {
		cond = expression.AttributeNotExists(expression.Name(attrPK)).
			Or(expression.Name(attrExpiresAt).LessThanEqual(now))
	} else {
		cond = expression.Name("version").Equal(expression.Value(c.Version)).
			And(expression.Name(attrExpiresAt).GreaterThan(now))
	}
	if err := s.putIf(ctx, op, item, cond); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Wrap(op, apperr.Conflict, err, "conversation changed since it was read")
		}
		return err
	}
	c.Version++
	return nil
}

// ConversationByThread finds the live conversation escalated into the Slack thread, or returns
// NotFound. The index is eventually consistent, so the match is read again from the table.
func (s *Store) ConversationByThread(ctx context.Context, slackChannel, threadTS string) (*conversation.Conversation, error) {
	const op apperr.Op = "dynamo.ConversationByThread"
	if slackChannel == "" || threadTS == "" {
		return nil, apperr.E(op, apperr.Invalid, "slack channel and thread ts are required")
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(attrGSI1PK).Equal(expression.Value(threadPK(slackChannel, threadTS)))).
		WithProjection(expression.NamesList(expression.Name("surface"), expression.Name("account"), expression.Name("user"))).
		Build()
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "build query")
	}
	p := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexByThread),
		KeyConditionExpression:    expr.KeyCondition(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fail(op, err, "query thread index")
		}
		var keys []channel.Key
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &keys); err != nil {
			return nil, apperr.Wrap(op, apperr.Internal, err, "decode thread index")
		}
		for _, k := range keys {
			c, err := s.getConversation(ctx, op, k)
			if err != nil {
				return nil, err
			}
			if c != nil && c.SlackChannel == slackChannel && c.ThreadTS == threadTS {
				return c, nil
			}
		}
	}
	return nil, apperr.E(op, apperr.NotFound, "no conversation for this thread")
}

// ConversationsByStatus lists up to limit live conversations with the status, least recently
// updated first (ties in key order). The index is eventually consistent: a listed version may
// be behind, and a put from it then returns Conflict.
func (s *Store) ConversationsByStatus(ctx context.Context, status conversation.Status, limit int) ([]*conversation.Conversation, error) {
	const op apperr.Op = "dynamo.ConversationsByStatus"
	if status == "" || limit <= 0 {
		return nil, apperr.E(op, apperr.Invalid, "status and a positive limit are required")
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(attrGSI2PK).Equal(expression.Value(statusPK(status)))).
		WithFilter(expression.Name(attrExpiresAt).GreaterThan(expression.Value(s.now().Unix()))).
		Build()
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "build query")
	}
	p := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexByStatus),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(min(limit, 1000))),
	})
	out := make([]*conversation.Conversation, 0)
	for p.HasMorePages() && len(out) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fail(op, err, "query status index")
		}
		var items []conversationItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, apperr.Wrap(op, apperr.Internal, err, "decode status index")
		}
		for i := range items {
			if len(out) == limit {
				break
			}
			out = append(out, items[i].conversation())
		}
	}
	return out, nil
}

// DeleteConversation removes the conversation. Deleting an absent one is not an error.
func (s *Store) DeleteConversation(ctx context.Context, key channel.Key) error {
	const op apperr.Op = "dynamo.DeleteConversation"
	if err := conversation.ValidateKey(op, key); err != nil {
		return err
	}
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       conversationKey(key),
	})
	if err != nil {
		return fail(op, err, "delete conversation")
	}
	return nil
}

// BeginEvent reads the conversation and leases it for eventID in one UpdateItem, whose
// ReturnValues ALL_OLD is the conversation as it was (see conversation.Store).
func (s *Store) BeginEvent(ctx context.Context, key channel.Key, eventID, holder string, now, staleBefore time.Time) (*conversation.Conversation, error) {
	const op apperr.Op = "dynamo.BeginEvent"
	if err := conversation.ValidateKey(op, key); err != nil {
		return nil, err
	}
	if eventID == "" || holder == "" {
		return nil, apperr.E(op, apperr.Invalid, "event id and holder are required")
	}
	leaseEvent, leaseAt, exp := expression.Name("leaseEvent"), expression.Name("leaseAt"), expression.Name(attrExpiresAt)
	leaseHolder := expression.Name("leaseHolder")
	version := expression.Name("version")
	update := expression.Set(leaseEvent, expression.Value(eventID)).
		Set(leaseHolder, expression.Value(holder)).
		Set(leaseAt, expression.Value(now.UnixNano())).
		Set(version, expression.Plus(expression.IfNotExists(version, expression.Value(0)), expression.Value(1))).
		Set(exp, expression.IfNotExists(exp, expression.Value(now.Add(conversation.PlaceholderLife).Unix())))
	cond := expression.AttributeNotExists(leaseEvent).
		Or(leaseHolder.Equal(expression.Value(holder))).
		Or(leaseAt.LessThan(expression.Value(staleBefore.UnixNano()))).
		Or(exp.LessThanEqual(expression.Value(s.now().Unix())))
	out, err := s.update(ctx, op, conversationKey(key), update, cond, types.ReturnValueAllOld)
	if apperr.Is(err, apperr.Conflict) {
		return nil, apperr.E(op, apperr.Conflict, "another event of this conversation is being processed")
	}
	if err != nil {
		return nil, err
	}
	var old conversationItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &old); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode conversation")
	}
	c := &conversation.Conversation{Key: key}
	alive := len(out.Attributes) > 0 && live(old.ExpiresAt, s.now())
	if alive && old.Status != "" {
		c = old.conversation()
	}
	done := map[string]string{}
	if old.LeaseEvent == eventID {
		done = old.done()
	}
	c.Version = old.Version + 1
	c.Lease = &conversation.Lease{Event: eventID, Holder: holder, At: now, Done: done}
	if len(out.Attributes) > 0 && !alive {
		// Expired but not yet deleted by DynamoDB: replace it with a clean placeholder, so that
		// nothing of the expired conversation comes back and the event's save finds it live.
		if err := s.putPlaceholder(ctx, op, c, now); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// putPlaceholder replaces the item of c.Key with a placeholder holding only c's lease, under
// the condition that the lease is still c's.
func (s *Store) putPlaceholder(ctx context.Context, op apperr.Op, c *conversation.Conversation, now time.Time) error {
	ph := &conversation.Conversation{Key: c.Key, Lease: c.Lease, ExpiresAt: now.Add(conversation.PlaceholderLife)}
	item, err := attributevalue.MarshalMap(toItem(ph, c.Version))
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode placeholder")
	}
	delete(item, attrGSI2PK) // a placeholder is in no index
	delete(item, attrGSI2SK)
	return s.putIf(ctx, op, item, expression.Name("leaseHolder").Equal(expression.Value(c.Lease.Holder)))
}

// RecordDone records a call made under eventID's lease (see conversation.Store).
func (s *Store) RecordDone(ctx context.Context, key channel.Key, eventID, holder, callKey, id string) error {
	const op apperr.Op = "dynamo.RecordDone"
	calls := expression.Name("leaseDone")
	update := expression.Set(calls, expression.ListAppend(
		expression.IfNotExists(calls, expression.Value([]string{})), expression.Value([]string{doneEntry(callKey, id)})))
	_, err := s.update(ctx, op, conversationKey(key), update, heldBy(eventID, holder), types.ReturnValueNone)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.E(op, apperr.Conflict, "the event no longer holds the conversation's lease")
	}
	return err
}

// ReleaseLease gives up holder's lease (see conversation.Store): the lease keeps its event and
// calls but no holder, and its time goes back to zero, so any worker may take it.
func (s *Store) ReleaseLease(ctx context.Context, key channel.Key, eventID, holder string) error {
	const op apperr.Op = "dynamo.ReleaseLease"
	update := expression.Set(expression.Name("leaseAt"), expression.Value(0)).Remove(expression.Name("leaseHolder"))
	_, err := s.update(ctx, op, conversationKey(key), update, heldBy(eventID, holder), types.ReturnValueNone)
	if apperr.Is(err, apperr.Conflict) {
		return nil // no longer holder's: nothing to give up
	}
	return err
}

// heldBy is the condition that holder holds the lease for eventID.
func heldBy(eventID, holder string) expression.ConditionBuilder {
	return expression.Name("leaseEvent").Equal(expression.Value(eventID)).
		And(expression.Name("leaseHolder").Equal(expression.Value(holder)))
}
