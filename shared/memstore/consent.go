package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/learn"
)

var _ consent.Store = (*Store)(nil)

// consentItems are the consent.Store items, keyed like the table's: records and histories by
// subject, links by subject and conversation key, tombstones by code.
type consentItems struct {
	records   map[string]consent.Record
	history   map[string][]consent.Change
	links     map[string]map[channel.Key]time.Time
	deletions map[string]consent.Deletion
	// threads holds the Slack erasure index by subject, then channel + "/" + thread ts.
	threads map[string]map[string]consent.SlackThread
}

func (c *consentItems) init() {
	if c.records == nil {
		c.records = map[string]consent.Record{}
		c.history = map[string][]consent.Change{}
		c.links = map[string]map[channel.Key]time.Time{}
		c.deletions = map[string]consent.Deletion{}
		c.threads = map[string]map[string]consent.SlackThread{}
	}
}

// utc returns t in UTC, as a round trip through the table does.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func normRecord(r consent.Record) consent.Record {
	r.At, r.UpdatedAt = utc(r.At), utc(r.UpdatedAt)
	return r
}

func normChange(c consent.Change) consent.Change {
	c.At, c.ExpiresAt = utc(c.At), utc(toSecond(c.ExpiresAt))
	return c
}

// GetConsent returns the subject's current record, or NotFound.
func (s *Store) GetConsent(_ context.Context, subject string) (*consent.Record, error) {
	const op apperr.Op = "memstore.GetConsent"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.consent.records[subject]
	if !ok {
		return nil, apperr.E(op, apperr.NotFound, "no consent record")
	}
	return &r, nil
}

// PutConsent writes rec and appends change atomically under optimistic locking.
func (s *Store) PutConsent(_ context.Context, rec *consent.Record, change consent.Change) error {
	const op apperr.Op = "memstore.PutConsent"
	if err := consent.ValidateChange(op, rec, change); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consent.init()
	var version int64
	if cur, ok := s.consent.records[rec.Subject]; ok {
		version = cur.Version
	}
	if version != rec.Version {
		return apperr.E(op, apperr.Conflict, "consent record changed since it was read")
	}
	now := s.now()
	for _, c := range s.consent.history[rec.Subject] {
		if c.At.Equal(change.At) && c.Version == change.Version && live(c.ExpiresAt, now) {
			return apperr.E(op, apperr.Conflict, "history entry exists")
		}
	}
	stored := normRecord(*rec)
	stored.Version++
	s.consent.records[rec.Subject] = stored
	s.consent.history[rec.Subject] = append(s.consent.history[rec.Subject], normChange(change))
	rec.Version++
	return nil
}

// ConsentHistory returns the live history entries ordered by time, then version.
func (s *Store) ConsentHistory(_ context.Context, subject string) ([]consent.Change, error) {
	const op apperr.Op = "memstore.ConsentHistory"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []consent.Change{}
	for _, c := range s.consent.history[subject] {
		if live(c.ExpiresAt, now) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b consent.Change) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Version, b.Version))
	})
	return out, nil
}

// LinkConversation links the conversation to the subject until expiresAt.
func (s *Store) LinkConversation(_ context.Context, subject string, key channel.Key, expiresAt time.Time) error {
	const op apperr.Op = "memstore.LinkConversation"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return err
	}
	if err := conversation.ValidateKey(op, key); err != nil {
		return err
	}
	if expiresAt.IsZero() {
		return apperr.E(op, apperr.Invalid, "link expiry is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consent.init()
	if s.consent.links[subject] == nil {
		s.consent.links[subject] = map[channel.Key]time.Time{}
	}
	s.consent.links[subject][key] = toSecond(expiresAt)
	return nil
}

// SubjectConversations returns the keys of the subject's live links, ordered by key.
func (s *Store) SubjectConversations(_ context.Context, subject string) ([]channel.Key, error) {
	const op apperr.Op = "memstore.SubjectConversations"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []channel.Key{}
	for k, exp := range s.consent.links[subject] {
		if live(exp, now) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b channel.Key) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// EraseSubject deletes the linked conversations, the links, the history and the record.
func (s *Store) EraseSubject(_ context.Context, subject string) error {
	const op apperr.Op = "memstore.EraseSubject"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.consent.links[subject] {
		delete(s.convs, k)
	}
	delete(s.consent.links, subject)
	delete(s.consent.threads, subject)
	// The "Add to FAQ" candidates live under the subject too (SUBJECT#<id> items in DynamoDB).
	maps.DeleteFunc(s.learn.candidates, func(k candidateKey, _ learn.Candidate) bool { return k.subject == subject })
	delete(s.consent.history, subject)
	delete(s.consent.records, subject)
	return nil
}

// PutDeletion creates or replaces a deletion tombstone.
func (s *Store) PutDeletion(_ context.Context, d *consent.Deletion) error {
	const op apperr.Op = "memstore.PutDeletion"
	if err := consent.ValidateDeletion(op, d); err != nil {
		return err
	}
	c := *d
	c.Subjects = slices.Clone(d.Subjects)
	c.RequestedAt, c.CompletedAt, c.ExpiresAt = utc(c.RequestedAt), utc(c.CompletedAt), utc(toSecond(c.ExpiresAt))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consent.init()
	s.consent.deletions[d.Code] = c
	return nil
}

// GetDeletion returns the live tombstone with the code, or NotFound.
func (s *Store) GetDeletion(_ context.Context, code string) (*consent.Deletion, error) {
	const op apperr.Op = "memstore.GetDeletion"
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.consent.deletions[code]
	if !ok || !live(d.ExpiresAt, s.now()) {
		return nil, apperr.E(op, apperr.NotFound, "unknown confirmation code")
	}
	d.Subjects = slices.Clone(d.Subjects)
	return &d, nil
}

// RecordSlackMessages adds ts to the subject's index of the thread and sets its expiry.
func (s *Store) RecordSlackMessages(_ context.Context, subject, ch, threadTS string, ts []string, expiresAt time.Time) error {
	const op apperr.Op = "memstore.RecordSlackMessages"
	if err := consent.ValidateSlackMessages(op, subject, ch, threadTS, ts, expiresAt); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consent.init()
	if s.consent.threads[subject] == nil {
		s.consent.threads[subject] = map[string]consent.SlackThread{}
	}
	k := ch + "/" + threadTS
	t, ok := s.consent.threads[subject][k]
	if !ok || !live(t.ExpiresAt, s.now()) {
		t = consent.SlackThread{Subject: subject, Channel: ch, ThreadTS: threadTS}
	}
	t.Messages = slices.Clone(t.Messages)
	for _, m := range ts {
		if !slices.Contains(t.Messages, m) {
			t.Messages = append(t.Messages, m)
		}
	}
	slices.Sort(t.Messages)
	t.ExpiresAt = utc(toSecond(expiresAt))
	s.consent.threads[subject][k] = t
	return nil
}

// SlackThreads returns the subject's live thread indexes by channel and thread ts.
func (s *Store) SlackThreads(_ context.Context, subject string) ([]consent.SlackThread, error) {
	const op apperr.Op = "memstore.SlackThreads"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := []consent.SlackThread{}
	for _, t := range s.consent.threads[subject] {
		if live(t.ExpiresAt, now) {
			t.Messages = slices.Clone(t.Messages)
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b consent.SlackThread) int {
		return cmp.Or(strings.Compare(a.Channel, b.Channel), strings.Compare(a.ThreadTS, b.ThreadTS))
	})
	return out, nil
}

// MarkSlackThread records an erasure's progress on the live index of the thread.
func (s *Store) MarkSlackThread(_ context.Context, subject, ch, threadTS, line string, adminsTold bool) error {
	const op apperr.Op = "memstore.MarkSlackThread"
	if err := consent.ValidateSubject(op, subject); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := ch + "/" + threadTS
	t, ok := s.consent.threads[subject][k]
	if !ok || !live(t.ExpiresAt, s.now()) {
		return apperr.E(op, apperr.NotFound, "no index of this thread")
	}
	if line != "" {
		t.Line = line
	}
	t.AdminsTold = t.AdminsTold || adminsTold
	s.consent.threads[subject][k] = t
	return nil
}
