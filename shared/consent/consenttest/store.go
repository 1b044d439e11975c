// Package consenttest provides a small in-memory consent.Store and conversation.Store for the
// tests of packages that depend on package consent. The store the local run and the
// conformance suite use is package memstore; this one exists so consent and adsignals can be
// tested on their own.
package consenttest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

// Store is an in-memory consent.Store and conversation.Store. Its zero value is not ready: use
// NewStore.
type Store struct {
	Now func() time.Time

	mu            sync.Mutex
	records       map[string]consent.Record
	history       map[string][]consent.Change
	links         map[string]map[channel.Key]time.Time
	deletions     map[string]consent.Deletion
	conversations map[channel.Key]conversation.Conversation

	// Fail, when set, is called before every operation with its name; a non-nil result is
	// returned instead of doing it.
	Fail func(op string) error
}

var (
	_ consent.Store      = (*Store)(nil)
	_ conversation.Store = (*Store)(nil)
)

// NewStore returns an empty store with the clock.
func NewStore(now func() time.Time) *Store {
	return &Store{Now: now, records: map[string]consent.Record{}, history: map[string][]consent.Change{},
		links: map[string]map[channel.Key]time.Time{}, deletions: map[string]consent.Deletion{},
		conversations: map[channel.Key]conversation.Conversation{}}
}

func (s *Store) fail(op string) error {
	if s.Fail != nil {
		return s.Fail(op)
	}
	return nil
}

func (s *Store) live(exp time.Time) bool { return exp.IsZero() || exp.After(s.Now()) }

// GetConsent implements consent.Store.
func (s *Store) GetConsent(ctx context.Context, subject string) (*consent.Record, error) {
	if err := s.fail("GetConsent"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[subject]
	if !ok {
		return nil, apperr.E("consenttest.GetConsent", apperr.NotFound, "no consent record")
	}
	return &r, nil
}

// PutConsent implements consent.Store.
func (s *Store) PutConsent(ctx context.Context, rec *consent.Record, change consent.Change) error {
	if err := s.fail("PutConsent"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.records[rec.Subject]
	if (ok && cur.Version != rec.Version) || (!ok && rec.Version != 0) {
		return apperr.E("consenttest.PutConsent", apperr.Conflict, "consent record changed")
	}
	for _, c := range s.history[rec.Subject] {
		if c.At.Equal(change.At) && c.Version == change.Version {
			return apperr.E("consenttest.PutConsent", apperr.Conflict, "history entry exists")
		}
	}
	r := *rec
	r.Version++
	s.records[rec.Subject] = r
	s.history[rec.Subject] = append(s.history[rec.Subject], change)
	rec.Version = r.Version
	return nil
}

// ConsentHistory implements consent.Store.
func (s *Store) ConsentHistory(ctx context.Context, subject string) ([]consent.Change, error) {
	if err := s.fail("ConsentHistory"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []consent.Change
	for _, c := range s.history[subject] {
		if s.live(c.ExpiresAt) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b consent.Change) int { return a.At.Compare(b.At) })
	return out, nil
}

// LinkConversation implements consent.Store.
func (s *Store) LinkConversation(ctx context.Context, subject string, key channel.Key, expiresAt time.Time) error {
	if err := s.fail("LinkConversation"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.links[subject] == nil {
		s.links[subject] = map[channel.Key]time.Time{}
	}
	s.links[subject][key] = expiresAt
	return nil
}

// SubjectConversations implements consent.Store.
func (s *Store) SubjectConversations(ctx context.Context, subject string) ([]channel.Key, error) {
	if err := s.fail("SubjectConversations"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []channel.Key
	for k, exp := range s.links[subject] {
		if s.live(exp) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b channel.Key) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// EraseSubject implements consent.Store.
func (s *Store) EraseSubject(ctx context.Context, subject string) error {
	if err := s.fail("EraseSubject"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.links[subject] {
		delete(s.conversations, k)
	}
	delete(s.links, subject)
	delete(s.records, subject)
	delete(s.history, subject)
	return nil
}

// PutDeletion implements consent.Store.
func (s *Store) PutDeletion(ctx context.Context, d *consent.Deletion) error {
	if err := s.fail("PutDeletion"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *d
	c.Subjects = slices.Clone(d.Subjects)
	s.deletions[d.Code] = c
	return nil
}

// GetDeletion implements consent.Store.
func (s *Store) GetDeletion(ctx context.Context, code string) (*consent.Deletion, error) {
	if err := s.fail("GetDeletion"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deletions[code]
	if !ok || !s.live(d.ExpiresAt) {
		return nil, apperr.E("consenttest.GetDeletion", apperr.NotFound, "unknown confirmation code")
	}
	d.Subjects = slices.Clone(d.Subjects)
	return &d, nil
}

// GetConversation implements conversation.Store.
func (s *Store) GetConversation(ctx context.Context, key channel.Key) (*conversation.Conversation, error) {
	if err := s.fail("GetConversation"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.conversations[key]
	if !ok || !s.live(c.ExpiresAt) {
		return nil, apperr.E("consenttest.GetConversation", apperr.NotFound, "no conversation")
	}
	return clone(c), nil
}

// PutConversation implements conversation.Store.
func (s *Store) PutConversation(ctx context.Context, c *conversation.Conversation) error {
	if err := s.fail("PutConversation"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.conversations[c.Key]
	if ok && !s.live(cur.ExpiresAt) {
		ok = false
	}
	if (ok && cur.Version != c.Version) || (!ok && c.Version != 0) {
		return apperr.E("consenttest.PutConversation", apperr.Conflict, "conversation changed")
	}
	n := clone(*c)
	n.Version++
	s.conversations[c.Key] = *n
	c.Version = n.Version
	return nil
}

// ConversationByThread implements conversation.Store.
func (s *Store) ConversationByThread(ctx context.Context, ch, ts string) (*conversation.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conversations {
		if c.SlackChannel == ch && c.ThreadTS == ts && s.live(c.ExpiresAt) {
			return clone(c), nil
		}
	}
	return nil, apperr.E("consenttest.ConversationByThread", apperr.NotFound, "no conversation")
}

// ConversationsByStatus implements conversation.Store.
func (s *Store) ConversationsByStatus(ctx context.Context, st conversation.Status, limit int) ([]*conversation.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*conversation.Conversation
	for _, c := range s.conversations {
		if c.Status == st && s.live(c.ExpiresAt) {
			out = append(out, clone(c))
		}
	}
	slices.SortFunc(out, func(a, b *conversation.Conversation) int {
		return cmp.Compare(a.UpdatedAt.UnixNano(), b.UpdatedAt.UnixNano())
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// DeleteConversation implements conversation.Store.
func (s *Store) DeleteConversation(ctx context.Context, key channel.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conversations, key)
	return nil
}

// Conversations returns how many conversations are stored (live or not).
func (s *Store) Conversations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conversations)
}

func clone(c conversation.Conversation) *conversation.Conversation {
	n := c
	if c.Referral != nil {
		r := *c.Referral
		n.Referral = &r
	}
	if c.FollowUp != nil {
		f := *c.FollowUp
		n.FollowUp = &f
	}
	if c.Linked != nil {
		k := *c.Linked
		n.Linked = &k
	}
	n.Pending = slices.Clone(c.Pending)
	n.Processed = slices.Clone(c.Processed)
	return &n
}
