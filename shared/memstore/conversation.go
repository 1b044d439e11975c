package memstore

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

// GetConversation returns a copy of the live conversation, or NotFound.
func (s *Store) GetConversation(_ context.Context, key channel.Key) (*conversation.Conversation, error) {
	const op apperr.Op = "memstore.GetConversation"
	if err := conversation.ValidateKey(op, key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.convs[key]
	if !ok || !live(c.ExpiresAt, s.now()) || c.New() {
		return nil, apperr.E(op, apperr.NotFound, "conversation not found")
	}
	return clone(op, c)
}

// PutConversation stores a copy of c if c.Version matches the live stored version (0: none is
// live), and then increments c.Version. Otherwise it returns Conflict.
func (s *Store) PutConversation(_ context.Context, c *conversation.Conversation) error {
	const op apperr.Op = "memstore.PutConversation"
	if err := conversation.Validate(op, c); err != nil {
		return err
	}
	stored, err := clone(op, c)
	if err != nil {
		return err
	}
	stored.Version++
	stored.ExpiresAt = toSecond(stored.ExpiresAt)

	s.mu.Lock()
	defer s.mu.Unlock()
	var version int64
	if old, ok := s.convs[c.Key]; ok && live(old.ExpiresAt, s.now()) {
		version = old.Version
	}
	if version != c.Version {
		return apperr.E(op, apperr.Conflict, "conversation changed since it was read")
	}
	if s.convs == nil {
		s.convs = make(map[channel.Key]*conversation.Conversation)
	}
	s.convs[c.Key] = stored
	trim(s.convs, c.Key, s.Limit, s.now(), convExpiry)
	c.Version++
	return nil
}

// ConversationByThread returns the live conversation escalated into the Slack thread, or
// NotFound.
func (s *Store) ConversationByThread(_ context.Context, slackChannel, threadTS string) (*conversation.Conversation, error) {
	const op apperr.Op = "memstore.ConversationByThread"
	if slackChannel == "" || threadTS == "" {
		return nil, apperr.E(op, apperr.Invalid, "slack channel and thread ts are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var found *conversation.Conversation
	for _, c := range s.convs {
		if c.SlackChannel != slackChannel || c.ThreadTS != threadTS || !live(c.ExpiresAt, now) {
			continue
		}
		// Several matches mean a stale record; pick the one DynamoDB's index would return first.
		if found == nil || c.Key.String() < found.Key.String() {
			found = c
		}
	}
	if found == nil {
		return nil, apperr.E(op, apperr.NotFound, "no conversation for this thread")
	}
	return clone(op, found)
}

// ConversationsByStatus lists up to limit live conversations with the status, least recently
// updated first (ties in key order).
func (s *Store) ConversationsByStatus(_ context.Context, status conversation.Status, limit int) ([]*conversation.Conversation, error) {
	const op apperr.Op = "memstore.ConversationsByStatus"
	if status == "" || limit <= 0 {
		return nil, apperr.E(op, apperr.Invalid, "status and a positive limit are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var match []*conversation.Conversation
	for _, c := range s.convs {
		if c.Status == status && live(c.ExpiresAt, now) {
			match = append(match, c)
		}
	}
	slices.SortFunc(match, func(a, b *conversation.Conversation) int {
		return strings.Compare(statusSortKey(a.UpdatedAt, a.Key), statusSortKey(b.UpdatedAt, b.Key))
	})
	out := make([]*conversation.Conversation, 0, min(limit, len(match)))
	for _, c := range match[:min(limit, len(match))] {
		cc, err := clone(op, c)
		if err != nil {
			return nil, err
		}
		out = append(out, cc)
	}
	return out, nil
}

// DeleteConversation removes the conversation. Deleting an absent one is not an error.
func (s *Store) DeleteConversation(_ context.Context, key channel.Key) error {
	const op apperr.Op = "memstore.DeleteConversation"
	if err := conversation.ValidateKey(op, key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.convs, key)
	return nil
}

// statusSortKey is the order of ConversationsByStatus: the update time, fixed-width so that it
// sorts as a string, then the conversation key. The dynamo package stores the same string as the
// byStatus index's sort key (gsi2sk).
func statusSortKey(updatedAt time.Time, key channel.Key) string {
	return updatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + key.String()
}

// clone deep-copies c through its JSON form, which also normalises it the way a round trip
// through DynamoDB does (empty slices read back as nil).
func clone(op apperr.Op, c *conversation.Conversation) (*conversation.Conversation, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "encode conversation")
	}
	var out conversation.Conversation
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "decode conversation")
	}
	return &out, nil
}

// BeginEvent reads the conversation and leases it for eventID (see conversation.Store).
func (s *Store) BeginEvent(_ context.Context, key channel.Key, eventID, holder string, now, staleBefore time.Time) (*conversation.Conversation, error) {
	const op apperr.Op = "memstore.BeginEvent"
	if err := conversation.ValidateKey(op, key); err != nil {
		return nil, err
	}
	if eventID == "" || holder == "" {
		return nil, apperr.E(op, apperr.Invalid, "event id and holder are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, exists := s.convs[key]
	alive := exists && live(old.ExpiresAt, s.now())
	if alive && old.Lease != nil && old.Lease.Holder != holder && !old.Lease.At.Before(staleBefore) {
		return nil, apperr.E(op, apperr.Conflict, "another event of this conversation is being processed")
	}
	done := map[string]string{}
	var stored *conversation.Conversation
	if alive {
		var err error
		if stored, err = clone(op, old); err != nil {
			return nil, err
		}
		if old.Lease != nil && old.Lease.Event == eventID {
			for k, v := range old.Lease.Done {
				done[k] = v
			}
		}
	} else {
		// None, or expired: a clean placeholder, so nothing of an expired conversation returns.
		stored = &conversation.Conversation{Key: key, ExpiresAt: toSecond(now.Add(conversation.PlaceholderLife))}
		if exists {
			stored.Version = old.Version
			if old.Lease != nil && old.Lease.Event == eventID {
				for k, v := range old.Lease.Done {
					done[k] = v
				}
			}
		}
	}
	stored.Version++
	stored.Lease = &conversation.Lease{Event: eventID, Holder: holder, At: now, Done: done}
	if s.convs == nil {
		s.convs = make(map[channel.Key]*conversation.Conversation)
	}
	s.convs[key] = stored
	trim(s.convs, key, s.Limit, now, convExpiry)

	c := &conversation.Conversation{Key: key}
	if alive && !old.New() {
		var err error
		if c, err = clone(op, stored); err != nil {
			return nil, err
		}
	}
	c.Version = stored.Version
	c.Lease = &conversation.Lease{Event: eventID, Holder: holder, At: now, Done: maps.Clone(done)}
	return c, nil
}

// RecordDone records a call made under eventID's lease (see conversation.Store).
func (s *Store) RecordDone(_ context.Context, key channel.Key, eventID, holder, callKey, id string) error {
	const op apperr.Op = "memstore.RecordDone"
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.convs[key]
	if !ok || c.Lease == nil || c.Lease.Event != eventID || c.Lease.Holder != holder {
		return apperr.E(op, apperr.Conflict, "the event no longer holds the conversation's lease")
	}
	if c.Lease.Done == nil {
		c.Lease.Done = map[string]string{}
	}
	c.Lease.Done[callKey] = id
	return nil
}

// ReleaseLease gives up holder's lease (see conversation.Store).
func (s *Store) ReleaseLease(_ context.Context, key channel.Key, eventID, holder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.convs[key]; ok && c.Lease != nil && c.Lease.Event == eventID && c.Lease.Holder == holder {
		c.Lease.Holder, c.Lease.At = "", time.Time{}
	}
	return nil
}
