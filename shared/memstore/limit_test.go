package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

// With a Limit, the store keeps at most Limit conversations and seen marks: expired ones go
// first, then the ones that expire soonest; the one just written stays.
func TestLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := &Store{Now: func() time.Time { return now }, Limit: 3}
	key := func(i int) channel.Key {
		return channel.Key{Surface: channel.WhatsApp, Account: "1065", User: fmt.Sprintf("4917%d", i)}
	}
	for i := range 5 {
		c := &conversation.Conversation{Key: key(i), Status: conversation.Bot, ExpiresAt: now.Add(time.Duration(10-i) * time.Hour)}
		if err := s.PutConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// Expiries: 0 in 10 h, 1 in 9 h, ... 4 in 6 h. Each put past 3 dropped the soonest but
	// the one written: 2 (8 h) when 3 came, 3 (7 h) when 4 came.
	for i, want := range []bool{true, true, false, false, true} {
		_, err := s.GetConversation(ctx, key(i))
		if got := err == nil; got != want {
			t.Errorf("conversation %d kept = %v, want %v", i, got, want)
		}
	}
	for i := range 10 {
		if _, err := s.MarkSeen(ctx, fmt.Sprintf("ev%d", i), now.Add(time.Duration(i+1)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	n := len(s.seen)
	s.mu.Unlock()
	if n != 3 {
		t.Errorf("seen marks = %d, want 3", n)
	}
}
