package dynamo

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/learn"
)

// The learn items (docs/privacy.md):
//
//	KBSUGGESTION / <id>        a knowledge-base suggestion, TTL 90 days
//	STATS#<ISO week> / STATS   the week's counters, one number attribute each, TTL 35 days
//	SUBJECT#<id> / KBCANDIDATE#<channel>#<thread ts>   the masked question of an escalation, TTL 7 days
//
// Suggestions share one partition: there are few (agents make them by hand) and they are
// always read together.

var _ learn.Store = (*Store)(nil)

const (
	suggestionPK = "KBSUGGESTION"
	statsSK      = "STATS"
)

type suggestionItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	Question  string    `dynamodbav:"question"`
	Entry     string    `dynamodbav:"entry,omitempty"`
	NewAnswer string    `dynamodbav:"newAnswer,omitempty"`
	Lang      string    `dynamodbav:"lang"`
	Agent     string    `dynamodbav:"agent"`
	Subject   string    `dynamodbav:"subject"`
	At        time.Time `dynamodbav:"at"`
	ExpiresAt time.Time `dynamodbav:"expiresAt,unixtime"`
}

// PutSuggestion writes sg unless a live suggestion with its id exists.
func (s *Store) PutSuggestion(ctx context.Context, sg *learn.Suggestion) (bool, error) {
	const op apperr.Op = "dynamo.PutSuggestion"
	if err := learn.Validate(op, sg); err != nil {
		return false, err
	}
	item, err := attributevalue.MarshalMap(suggestionItem{PK: suggestionPK, SK: sg.ID, Question: sg.Question, Entry: sg.Entry,
		NewAnswer: sg.NewAnswer, Lang: sg.Lang, Agent: sg.Agent, Subject: sg.Subject, At: sg.At.UTC(), ExpiresAt: sg.ExpiresAt})
	if err != nil {
		return false, apperr.Wrap(op, apperr.Internal, err, "encode suggestion")
	}
	return s.putNew(ctx, op, item)
}

func (s *Store) suggestionItems(ctx context.Context, op apperr.Op) ([]suggestionItem, error) {
	items, err := s.query(ctx, op, suggestionPK, "", "suggestions")
	if err != nil {
		return nil, err
	}
	var out []suggestionItem
	if err := attributevalue.UnmarshalListOfMaps(items, &out); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode suggestions")
	}
	return out, nil
}

// Suggestions lists the live suggestions, oldest first, then by id.
func (s *Store) Suggestions(ctx context.Context) ([]learn.Suggestion, error) {
	const op apperr.Op = "dynamo.Suggestions"
	its, err := s.suggestionItems(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []learn.Suggestion{}
	for _, it := range its {
		if live(it.ExpiresAt, now) {
			out = append(out, learn.Suggestion{ID: it.SK, Question: it.Question, Entry: it.Entry, NewAnswer: it.NewAnswer,
				Lang: it.Lang, Agent: it.Agent, Subject: it.Subject, At: it.At, ExpiresAt: it.ExpiresAt})
		}
	}
	slices.SortFunc(out, func(a, b learn.Suggestion) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteSuggestion removes a suggestion.
func (s *Store) DeleteSuggestion(ctx context.Context, id string) error {
	const op apperr.Op = "dynamo.DeleteSuggestion"
	if id == "" {
		return apperr.E(op, apperr.Invalid, "suggestion id is required")
	}
	return s.deleteItem(ctx, op, suggestionPK, id)
}

// EraseSubjectSuggestions deletes the subject's suggestions and candidates, expired ones
// included.
func (s *Store) EraseSubjectSuggestions(ctx context.Context, subject string) error {
	const op apperr.Op = "dynamo.EraseSubjectSuggestions"
	cands, err := s.querySubject(ctx, op, subject, candidatePrefix, attrPK, attrSK)
	if err != nil {
		return err
	}
	for _, c := range cands {
		var k struct {
			PK string `dynamodbav:"pk"`
			SK string `dynamodbav:"sk"`
		}
		if err := attributevalue.UnmarshalMap(c, &k); err != nil {
			return apperr.Wrap(op, apperr.Internal, err, "decode candidate key")
		}
		if err := s.deleteItem(ctx, op, k.PK, k.SK); err != nil {
			return err
		}
	}
	its, err := s.suggestionItems(ctx, op)
	if err != nil {
		return err
	}
	for _, it := range its {
		if it.Subject == subject {
			if err := s.deleteItem(ctx, op, suggestionPK, it.SK); err != nil {
				return err
			}
		}
	}
	return nil
}

func statsPK(week string) string { return "STATS#" + week }

// AddCount adds n to the week's counter (ADD on a number attribute named after the counter) and
// sets the week's expiry, in one UpdateItem. Counts of an expired week DynamoDB has not deleted
// yet are dropped first.
func (s *Store) AddCount(ctx context.Context, week, counter string, n int, expiresAt time.Time) error {
	const op apperr.Op = "dynamo.AddCount"
	if err := learn.ValidateCount(op, week, counter, n, expiresAt); err != nil {
		return err
	}
	update := expression.Add(expression.Name(counter), expression.Value(n)).
		Set(expression.Name(attrExpiresAt), expression.Value(expiresAt.Unix()))
	return s.updateLive(ctx, op, statsPK(week), statsSK, update)
}

// Counts returns the week's live counts.
func (s *Store) Counts(ctx context.Context, week string) (map[string]int, error) {
	const op apperr.Op = "dynamo.Counts"
	if !learn.ValidWeek(week) {
		return nil, apperr.E(op, apperr.Invalid, "week must look like 2026-W48")
	}
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: itemKey(statsPK(week), statsSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fail(op, err, "read counts")
	}
	counts := map[string]int{}
	if out.Item == nil {
		return counts, nil
	}
	var exp struct {
		ExpiresAt time.Time `dynamodbav:"expiresAt,unixtime"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &exp); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode counts")
	}
	if !live(exp.ExpiresAt, s.now()) {
		return counts, nil
	}
	for k, v := range out.Item {
		if !learn.ValidCounter(k) {
			continue
		}
		var n int
		if err := attributevalue.Unmarshal(v, &n); err != nil {
			return nil, apperr.Wrap(op, apperr.Internal, err, "decode count")
		}
		counts[k] = n
	}
	return counts, nil
}

// The "Add to FAQ" candidate: SUBJECT#<id> / KBCANDIDATE#<channel>#<thread ts>, TTL 7 days. It
// lives under the subject, so EraseSubject deletes it with the rest.
const candidatePrefix = "KBCANDIDATE#"

type candidateItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	Channel   string    `dynamodbav:"channel"`
	ThreadTS  string    `dynamodbav:"threadTs"`
	Question  string    `dynamodbav:"question"`
	Lang      string    `dynamodbav:"lang"`
	Entry     string    `dynamodbav:"entry,omitempty"`
	ExpiresAt time.Time `dynamodbav:"expiresAt,unixtime"`
}

// PutCandidate writes the thread's candidate.
func (s *Store) PutCandidate(ctx context.Context, c *learn.Candidate) error {
	const op apperr.Op = "dynamo.PutCandidate"
	if err := learn.ValidateCandidate(op, c); err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(candidateItem{PK: subjectPK(c.Subject), SK: candidatePrefix + c.Channel + "#" + c.ThreadTS,
		Channel: c.Channel, ThreadTS: c.ThreadTS, Question: c.Question, Lang: c.Lang, Entry: c.Entry, ExpiresAt: c.ExpiresAt})
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode candidate")
	}
	if _, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fail(op, err, "write candidate")
	}
	return nil
}

// GetCandidate returns the live candidate of the thread, or NotFound.
func (s *Store) GetCandidate(ctx context.Context, subject, channel, threadTS string) (*learn.Candidate, error) {
	const op apperr.Op = "dynamo.GetCandidate"
	it, err := getItem[candidateItem](ctx, s, op, itemKey(subjectPK(subject), candidatePrefix+channel+"#"+threadTS), "candidate")
	if err != nil {
		return nil, err
	}
	if it == nil || !live(it.ExpiresAt, s.now()) {
		return nil, apperr.E(op, apperr.NotFound, "no candidate for this thread")
	}
	return &learn.Candidate{Subject: subject, Channel: it.Channel, ThreadTS: it.ThreadTS, Question: it.Question,
		Lang: it.Lang, Entry: it.Entry, ExpiresAt: it.ExpiresAt}, nil
}
