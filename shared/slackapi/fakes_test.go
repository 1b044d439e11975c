package slackapi

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// convStore is a small map-backed conversation.Store for the handler tests.
type convStore struct {
	mu    sync.Mutex
	convs map[channel.Key]*conversation.Conversation
	err   error // returned by every call when set
}

var _ conversation.Store = (*convStore)(nil)

func newConvStore(cs ...*conversation.Conversation) *convStore {
	s := &convStore{convs: map[channel.Key]*conversation.Conversation{}}
	for _, c := range cs {
		s.convs[c.Key] = c
	}
	return s
}

func (s *convStore) GetConversation(_ context.Context, key channel.Key) (*conversation.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	c, ok := s.convs[key]
	if !ok {
		return nil, apperr.E("convStore.Get", apperr.NotFound, "no conversation")
	}
	cp := *c
	return &cp, nil
}

func (s *convStore) PutConversation(_ context.Context, c *conversation.Conversation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	old, ok := s.convs[c.Key]
	if (ok && old.Version != c.Version) || (!ok && c.Version != 0) {
		return apperr.E("convStore.Put", apperr.Conflict, "version mismatch")
	}
	c.Version++
	cp := *c
	s.convs[c.Key] = &cp
	return nil
}

func (s *convStore) ConversationByThread(_ context.Context, ch, ts string) (*conversation.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	for _, c := range s.convs {
		if c.SlackChannel == ch && c.ThreadTS == ts {
			cp := *c
			return &cp, nil
		}
	}
	return nil, apperr.E("convStore.ByThread", apperr.NotFound, "no conversation in that thread")
}

func (s *convStore) ConversationsByStatus(_ context.Context, st conversation.Status, limit int) ([]*conversation.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	var out []*conversation.Conversation
	for _, c := range s.convs {
		if c.Status == st {
			cp := *c
			out = append(out, &cp)
		}
	}
	slices.SortFunc(out, func(a, b *conversation.Conversation) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *convStore) DeleteConversation(_ context.Context, key channel.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.convs, key)
	return nil
}

// seenStore is a map-backed dedup.Store; forget enables ForgetSeen.
type seenStore struct {
	mu   sync.Mutex
	seen map[string]time.Time
	err  error
}

var _ dedup.Store = (*seenStore)(nil)

func (s *seenStore) MarkSeen(_ context.Context, id string, expiresAt time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return false, s.err
	}
	if s.seen == nil {
		s.seen = map[string]time.Time{}
	}
	if _, ok := s.seen[id]; ok {
		return false, nil
	}
	s.seen[id] = expiresAt
	return true, nil
}

func (s *seenStore) ClaimSend(context.Context, dedup.Send, time.Time) (*dedup.Send, bool, error) {
	return nil, false, apperr.E("seenStore", apperr.Internal, "not used by the handler")
}
func (s *seenStore) CompleteSend(context.Context, string, string) error { return nil }
func (s *seenStore) ReleaseSend(context.Context, string) error          { return nil }

// forgettingStore adds ForgetSeen.
type forgettingStore struct{ seenStore }

func (s *forgettingStore) ForgetSeen(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, id)
	return nil
}

// memQueue records sent messages; err fails the next sends.
type memQueue struct {
	mu   sync.Mutex
	msgs []queue.Message
	err  error
}

func (q *memQueue) Send(_ context.Context, m queue.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	q.msgs = append(q.msgs, m)
	return nil
}

func (q *memQueue) sent() []queue.Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.msgs)
}

func (q *memQueue) agentEvents(t *testing.T) []channel.AgentEvent {
	t.Helper()
	var out []channel.AgentEvent
	for _, m := range q.sent() {
		var ev channel.Event
		if err := json.Unmarshal(m.Body, &ev); err != nil || ev.Agent == nil {
			t.Fatalf("queued body %s is not an agent event: %v", m.Body, err)
		}
		out = append(out, *ev.Agent)
	}
	return out
}
