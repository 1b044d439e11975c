package dynamo

import (
	"cmp"
	"context"
	"fmt"
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
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

// The consent items (HELPERS.md "Fixed names", docs/privacy.md):
//
//	SUBJECT#<id> / CONSENT                        current record, no TTL
//	SUBJECT#<id> / CONSENT#<time>#<version>       history entry, TTL = history retention
//	SUBJECT#<id> / CONV#<surface>#<account>#<user> link to a conversation, TTL = the conversation's
//	SUBJECT#<id> / SLACK#<channel>#<thread ts>    Slack erasure index, TTL = the thread's
//	DELETION#<code> / DELETION                    deletion tombstone, TTL 90 days
//
// The history sort key uses a fixed-width time (RFC 3339 with nine fraction digits) so that it
// sorts as a string, which RFC3339Nano (trailing zeros dropped) does not.

var _ consent.Store = (*Store)(nil)

// TransactAPI is the transaction call PutConsent needs; *dynamodb.Client satisfies it. The
// store's client must implement it for consent (a client that does not gets Internal errors).
type TransactAPI interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ TransactAPI = (*dynamodb.Client)(nil)

const (
	consentSK      = "CONSENT"
	historyPrefix  = "CONSENT#"
	linkPrefix     = "CONV#"
	deletionSK     = "DELETION"
	historyTimeFmt = "2006-01-02T15:04:05.000000000Z"
)

func subjectPK(subject string) string { return "SUBJECT#" + subject }

func historySK(at time.Time, version int64) string {
	return historyPrefix + at.UTC().Format(historyTimeFmt) + "#" + fmt.Sprintf("%019d", version)
}

type recordItem struct {
	PK        string          `dynamodbav:"pk"`
	SK        string          `dynamodbav:"sk"`
	Subject   string          `dynamodbav:"subject"`
	State     consent.State   `dynamodbav:"state"`
	Source    string          `dynamodbav:"source"`
	Actor     string          `dynamodbav:"actor,omitempty"`
	At        time.Time       `dynamodbav:"at"`
	Surface   channel.Surface `dynamodbav:"surface,omitempty"`
	Target    string          `dynamodbav:"target,omitempty"`
	UpdatedAt time.Time       `dynamodbav:"updatedAt"`
	Version   int64           `dynamodbav:"version"`
}

type historyItem struct {
	PK        string          `dynamodbav:"pk"`
	SK        string          `dynamodbav:"sk"`
	Subject   string          `dynamodbav:"subject"`
	State     consent.State   `dynamodbav:"state"`
	Source    string          `dynamodbav:"source"`
	Actor     string          `dynamodbav:"actor,omitempty"`
	At        time.Time       `dynamodbav:"at"`
	Surface   channel.Surface `dynamodbav:"surface,omitempty"`
	Target    string          `dynamodbav:"target,omitempty"`
	Version   int64           `dynamodbav:"version"`
	ExpiresAt time.Time       `dynamodbav:"expiresAt,unixtime"`
}

type linkItem struct {
	PK        string          `dynamodbav:"pk"`
	SK        string          `dynamodbav:"sk"`
	Surface   channel.Surface `dynamodbav:"surface"`
	Account   string          `dynamodbav:"account"`
	User      string          `dynamodbav:"user"`
	ExpiresAt time.Time       `dynamodbav:"expiresAt,unixtime"`
}

type deletionItem struct {
	PK          string                 `dynamodbav:"pk"`
	SK          string                 `dynamodbav:"sk"`
	Code        string                 `dynamodbav:"code"`
	Subjects    []string               `dynamodbav:"subjects"`
	Status      consent.DeletionStatus `dynamodbav:"status"`
	RequestedAt time.Time              `dynamodbav:"requestedAt"`
	CompletedAt time.Time              `dynamodbav:"completedAt"`
	ExpiresAt   time.Time              `dynamodbav:"expiresAt,unixtime"`
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// GetConsent reads the subject's current record (strongly consistent), or returns NotFound.
func (s *Store) GetConsent(ctx context.Context, subject string) (*consent.Record, error) {
	const op apperr.Op = "dynamo.GetConsent"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	it, err := getItem[recordItem](ctx, s, op, itemKey(subjectPK(subject), consentSK), "consent")
	if err != nil {
		return nil, err
	}
	if it == nil {
		return nil, apperr.E(op, apperr.NotFound, "no consent record")
	}
	return &consent.Record{Subject: it.Subject, State: it.State, Source: it.Source, Actor: it.Actor, At: it.At,
		Surface: it.Surface, Target: it.Target, UpdatedAt: it.UpdatedAt, Version: it.Version}, nil
}

// PutConsent writes the record and its history entry in one TransactWriteItems: the record on
// condition that its version is still rec.Version (absent for 0), the entry on condition that
// it does not exist. A lost condition is Conflict and writes nothing.
func (s *Store) PutConsent(ctx context.Context, rec *consent.Record, change consent.Change) error {
	const op apperr.Op = "dynamo.PutConsent"
	if err := consent.ValidateChange(op, rec, change); err != nil {
		return err
	}
	tx, ok := s.api.(TransactAPI)
	if !ok {
		return apperr.E(op, apperr.Internal, "the DynamoDB client does not support transactions")
	}
	pk := subjectPK(rec.Subject)
	recAV, err := attributevalue.MarshalMap(recordItem{PK: pk, SK: consentSK, Subject: rec.Subject, State: rec.State,
		Source: rec.Source, Actor: rec.Actor, At: rec.At.UTC(), Surface: rec.Surface, Target: rec.Target, UpdatedAt: rec.UpdatedAt.UTC(), Version: rec.Version + 1})
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode consent")
	}
	histAV, err := attributevalue.MarshalMap(historyItem{PK: pk, SK: historySK(change.At, change.Version), Subject: change.Subject,
		State: change.State, Source: change.Source, Actor: change.Actor, At: change.At.UTC(), Surface: change.Surface,
		Target: change.Target, Version: change.Version, ExpiresAt: change.ExpiresAt})
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode consent history")
	}
	var recCond expression.ConditionBuilder
	if rec.Version == 0 {
		recCond = expression.AttributeNotExists(expression.Name(attrPK))
	} else {
		recCond = expression.Name("version").Equal(expression.Value(rec.Version))
	}
	recExpr, err := expression.NewBuilder().WithCondition(recCond).Build()
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "build condition")
	}
	histExpr, err := expression.NewBuilder().WithCondition(absentOrExpired(s.now())).Build()
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "build condition")
	}
	_, err = tx.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: recAV, ConditionExpression: recExpr.Condition(),
			ExpressionAttributeNames: recExpr.Names(), ExpressionAttributeValues: recExpr.Values()}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: histAV, ConditionExpression: histExpr.Condition(),
			ExpressionAttributeNames: histExpr.Names(), ExpressionAttributeValues: histExpr.Values()}},
	}})
	if err != nil {
		if kindOf(err) == apperr.Conflict {
			return apperr.Wrap(op, apperr.Conflict, err, "consent record changed since it was read")
		}
		return fail(op, err, "write consent")
	}
	rec.Version++
	return nil
}

// querySubject returns the subject's items whose sort key starts with prefix ("" for all),
// strongly consistent, in sort-key order.
func (s *Store) querySubject(ctx context.Context, op apperr.Op, subject, prefix string, projection ...string) ([]map[string]types.AttributeValue, error) {
	return s.query(ctx, op, subjectPK(subject), prefix, "subject", projection...)
}

// query returns the partition pk's items whose sort key starts with prefix ("" for all),
// strongly consistent, in sort-key order; what names the partition's kind in errors.
func (s *Store) query(ctx context.Context, op apperr.Op, pk, prefix, what string, projection ...string) ([]map[string]types.AttributeValue, error) {
	kc := expression.Key(attrPK).Equal(expression.Value(pk))
	if prefix != "" {
		kc = kc.And(expression.Key(attrSK).BeginsWith(prefix))
	}
	b := expression.NewBuilder().WithKeyCondition(kc)
	if len(projection) > 0 {
		names := make([]expression.NameBuilder, len(projection))
		for i, p := range projection {
			names[i] = expression.Name(p)
		}
		b = b.WithProjection(expression.NamesList(names[0], names[1:]...))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "build query")
	}
	p := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            aws.Bool(true),
	})
	var items []map[string]types.AttributeValue
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fail(op, err, "query "+what)
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

// ConsentHistory returns the live history entries ordered by time, then version.
func (s *Store) ConsentHistory(ctx context.Context, subject string) ([]consent.Change, error) {
	const op apperr.Op = "dynamo.ConsentHistory"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	items, err := s.querySubject(ctx, op, subject, historyPrefix)
	if err != nil {
		return nil, err
	}
	var hist []historyItem
	if err := attributevalue.UnmarshalListOfMaps(items, &hist); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode consent history")
	}
	now := s.now()
	out := []consent.Change{}
	for _, h := range hist {
		if live(h.ExpiresAt, now) {
			out = append(out, consent.Change{Subject: h.Subject, State: h.State, Source: h.Source, Actor: h.Actor,
				At: h.At, Surface: h.Surface, Target: h.Target, Version: h.Version, ExpiresAt: h.ExpiresAt})
		}
	}
	return out, nil
}

// LinkConversation writes (or moves the expiry of) the subject's link to the conversation.
func (s *Store) LinkConversation(ctx context.Context, subject string, key channel.Key, expiresAt time.Time) error {
	const op apperr.Op = "dynamo.LinkConversation"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return err
	}
	if err := conversation.ValidateKey(op, key); err != nil {
		return err
	}
	if expiresAt.IsZero() {
		return apperr.E(op, apperr.Invalid, "link expiry is required")
	}
	item, err := attributevalue.MarshalMap(linkItem{PK: subjectPK(subject), SK: linkPrefix + key.String(),
		Surface: key.Surface, Account: key.Account, User: key.User, ExpiresAt: expiresAt})
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode link")
	}
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fail(op, err, "write link")
	}
	return nil
}

// SubjectConversations returns the keys of the subject's live links, ordered by key.
func (s *Store) SubjectConversations(ctx context.Context, subject string) ([]channel.Key, error) {
	const op apperr.Op = "dynamo.SubjectConversations"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	links, err := s.links(ctx, op, subject)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []channel.Key{}
	for _, l := range links {
		if live(l.ExpiresAt, now) {
			out = append(out, channel.Key{Surface: l.Surface, Account: l.Account, User: l.User})
		}
	}
	return out, nil
}

func (s *Store) links(ctx context.Context, op apperr.Op, subject string) ([]linkItem, error) {
	items, err := s.querySubject(ctx, op, subject, linkPrefix)
	if err != nil {
		return nil, err
	}
	var links []linkItem
	if err := attributevalue.UnmarshalListOfMaps(items, &links); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode links")
	}
	return links, nil
}

// EraseSubject deletes the linked conversations first, then every SUBJECT#<id> item (links,
// history, the record last), so an erasure interrupted half-way is finished by running it again.
// Expired links count too: their conversation may still be in the table.
func (s *Store) EraseSubject(ctx context.Context, subject string) error {
	const op apperr.Op = "dynamo.EraseSubject"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return err
	}
	links, err := s.links(ctx, op, subject)
	if err != nil {
		return err
	}
	for _, l := range links {
		k := channel.Key{Surface: l.Surface, Account: l.Account, User: l.User}
		if err := s.deleteItem(ctx, op, conversationPK(k), conversationSK); err != nil {
			return err
		}
	}
	items, err := s.querySubject(ctx, op, subject, "", attrPK, attrSK)
	if err != nil {
		return err
	}
	var keys []struct {
		PK string `dynamodbav:"pk"`
		SK string `dynamodbav:"sk"`
	}
	if err := attributevalue.UnmarshalListOfMaps(items, &keys); err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "decode subject items")
	}
	// "CONSENT" sorts before "CONSENT#…" and "CONV#…": delete it last.
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].SK == consentSK {
			continue
		}
		if err := s.deleteItem(ctx, op, keys[i].PK, keys[i].SK); err != nil {
			return err
		}
	}
	return s.deleteItem(ctx, op, subjectPK(subject), consentSK)
}

func (s *Store) deleteItem(ctx context.Context, op apperr.Op, pk, sk string) error {
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: itemKey(pk, sk)})
	if err != nil {
		// The key may hold a user id: the message names only its kind.
		return fail(op, err, "delete "+strings.SplitN(pk, "#", 2)[0]+" item")
	}
	return nil
}

// PutDeletion creates or replaces a deletion tombstone.
func (s *Store) PutDeletion(ctx context.Context, d *consent.Deletion) error {
	const op apperr.Op = "dynamo.PutDeletion"
	if err := consent.ValidateDeletion(op, d); err != nil {
		return err
	}
	switch {
	case d == nil:
		return apperr.E(op, apperr.Invalid, "no deletion")
	case !consent.ValidDeletionCode(d.Code):
		return apperr.E(op, apperr.Invalid, "confirmation code is malformed")
	case d.Status != consent.DeletionPending && d.Status != consent.DeletionDone:
		return apperr.E(op, apperr.Invalid, "deletion status must be pending or done")
	case d.ExpiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "deletion expiry is required")
	}
	subjects := d.Subjects
	if subjects == nil {
		subjects = []string{}
	}
	item, err := attributevalue.MarshalMap(deletionItem{PK: "DELETION#" + d.Code, SK: deletionSK, Code: d.Code, Subjects: subjects,
		Status: d.Status, RequestedAt: d.RequestedAt.UTC(), CompletedAt: d.CompletedAt.UTC(), ExpiresAt: d.ExpiresAt})
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode deletion")
	}
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fail(op, err, "write deletion")
	}
	return nil
}

// GetDeletion returns the live tombstone with the code, or NotFound.
func (s *Store) GetDeletion(ctx context.Context, code string) (*consent.Deletion, error) {
	const op apperr.Op = "dynamo.GetDeletion"
	if !consent.ValidDeletionCode(code) {
		return nil, apperr.E(op, apperr.NotFound, "unknown confirmation code")
	}
	it, err := getItem[deletionItem](ctx, s, op, itemKey("DELETION#"+code, deletionSK), "deletion")
	if err != nil {
		return nil, err
	}
	if it == nil || !live(it.ExpiresAt, s.now()) {
		return nil, apperr.E(op, apperr.NotFound, "unknown confirmation code")
	}
	return &consent.Deletion{Code: it.Code, Subjects: it.Subjects, Status: it.Status, RequestedAt: it.RequestedAt,
		CompletedAt: it.CompletedAt, ExpiresAt: it.ExpiresAt}, nil
}

// The Slack erasure index: SUBJECT#<id> / SLACK#<channel>#<thread ts>, TTL = the thread's.
const slackPrefix = "SLACK#"

type slackThreadItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	Subject    string    `dynamodbav:"subject"`
	Channel    string    `dynamodbav:"channel"`
	ThreadTS   string    `dynamodbav:"threadTs"`
	Messages   []string  `dynamodbav:"messages,stringset"`
	Line       string    `dynamodbav:"line,omitempty"`
	AdminsTold bool      `dynamodbav:"adminsTold,omitempty"`
	ExpiresAt  time.Time `dynamodbav:"expiresAt,unixtime"`
}

func slackSK(ch, threadTS string) string { return slackPrefix + ch + "#" + threadTS }

// RecordSlackMessages adds ts to the thread's index in one UpdateItem (ADD to a string set) and
// sets its expiry. An expired index that DynamoDB has not deleted yet is started afresh.
func (s *Store) RecordSlackMessages(ctx context.Context, subject, ch, threadTS string, ts []string, expiresAt time.Time) error {
	const op apperr.Op = "dynamo.RecordSlackMessages"
	if err := consent.ValidateSlackMessages(op, subject, ch, threadTS, ts, expiresAt); err != nil {
		return err
	}
	uniq := slices.Clone(ts)
	slices.Sort(uniq)
	set := &types.AttributeValueMemberSS{Value: slices.Compact(uniq)}
	update := expression.Add(expression.Name("messages"), expression.Value(set)).
		Set(expression.Name("subject"), expression.Value(subject)).
		Set(expression.Name("channel"), expression.Value(ch)).
		Set(expression.Name("threadTs"), expression.Value(threadTS)).
		Set(expression.Name(attrExpiresAt), expression.Value(expiresAt.Unix()))
	// An expired index DynamoDB has not deleted yet: its messages are gone from what frontdesk
	// knows, so it starts afresh.
	return s.updateLive(ctx, op, subjectPK(subject), slackSK(ch, threadTS), update)
}

// SlackThreads returns the subject's live thread indexes, ordered by channel and thread ts.
func (s *Store) SlackThreads(ctx context.Context, subject string) ([]consent.SlackThread, error) {
	const op apperr.Op = "dynamo.SlackThreads"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	items, err := s.querySubject(ctx, op, subject, slackPrefix)
	if err != nil {
		return nil, err
	}
	var its []slackThreadItem
	if err := attributevalue.UnmarshalListOfMaps(items, &its); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode slack index")
	}
	now := s.now()
	out := []consent.SlackThread{}
	for _, it := range its {
		if !live(it.ExpiresAt, now) {
			continue
		}
		msgs := slices.Clone(it.Messages)
		slices.Sort(msgs)
		out = append(out, consent.SlackThread{Subject: it.Subject, Channel: it.Channel, ThreadTS: it.ThreadTS,
			Messages: msgs, Line: it.Line, AdminsTold: it.AdminsTold, ExpiresAt: it.ExpiresAt})
	}
	slices.SortFunc(out, func(a, b consent.SlackThread) int {
		return cmp.Or(strings.Compare(a.Channel, b.Channel), strings.Compare(a.ThreadTS, b.ThreadTS))
	})
	return out, nil
}

// MarkSlackThread records an erasure's progress on the live index of the thread.
func (s *Store) MarkSlackThread(ctx context.Context, subject, ch, threadTS, line string, adminsTold bool) error {
	const op apperr.Op = "dynamo.MarkSlackThread"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return err
	}
	var update expression.UpdateBuilder
	if adminsTold {
		update = update.Set(expression.Name("adminsTold"), expression.Value(true))
	}
	if line != "" {
		update = update.Set(expression.Name("line"), expression.Value(line))
	}
	if !adminsTold && line == "" {
		return nil
	}
	cond := expression.AttributeExists(expression.Name(attrPK)).
		And(expression.Name(attrExpiresAt).GreaterThan(expression.Value(s.now().Unix())))
	_, err := s.update(ctx, op, itemKey(subjectPK(subject), slackSK(ch, threadTS)), update, cond, types.ReturnValueNone)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Wrap(op, apperr.NotFound, err, "no index of this thread")
	}
	return err
}
