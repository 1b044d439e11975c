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
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// convStore is the embedded store on the test clock; err, when set, fails every lookup.
type convStore struct {
	*memstore.Store
	err error
}

func newConvStore(t testing.TB, cs ...*conversation.Conversation) *convStore {
	t.Helper()
	s := &convStore{Store: &memstore.Store{Now: func() time.Time { return testNow }}}
	for _, c := range cs {
		cp := *c
		cp.Version, cp.ExpiresAt = 0, testNow.Add(30*24*time.Hour)
		if err := s.PutConversation(context.Background(), &cp); err != nil {
			t.Fatalf("seed conversation: %v", err)
		}
	}
	return s
}

func (s *convStore) ConversationByThread(ctx context.Context, ch, ts string) (*conversation.Conversation, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.Store.ConversationByThread(ctx, ch, ts)
}

func (s *convStore) ConversationsByStatus(ctx context.Context, st conversation.Status, limit int) ([]*conversation.Conversation, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.Store.ConversationsByStatus(ctx, st, limit)
}

// seenStore is a map-backed dedup.Store.
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

// count is how many event ids are remembered.
func (s *seenStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

func (s *seenStore) ClaimSend(context.Context, dedup.Send, time.Time) (*dedup.Send, bool, error) {
	return nil, false, apperr.E("seenStore", apperr.Internal, "not used by the handler")
}
func (s *seenStore) CompleteSend(context.Context, string, string) error { return nil }
func (s *seenStore) ReleaseSend(context.Context, string) error          { return nil }

func (s *seenStore) ForgetSeen(_ context.Context, id string) error {
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
