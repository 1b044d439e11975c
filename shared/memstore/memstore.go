package memstore

import (
	"sync"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
)

// Store is an in-memory conversation.Store and dedup.Store. The zero value is ready to use.
type Store struct {
	// Now returns the current time; it decides expiry. Nil means time.Now. Set it before the
	// Store is shared between goroutines.
	Now func() time.Time
	// Limit, when positive, bounds the conversations, the seen marks and the send
	// reservations, each: past it, expired items go first, then those that expire soonest
	// (the oldest). DynamoDB has no such limit; the local stack sets one so that a server left
	// running does not grow without bound. Consent records are never dropped.
	Limit int

	mu    sync.Mutex
	convs map[channel.Key]*conversation.Conversation
	seen  map[string]time.Time
	sends map[string]dedup.Send
	// consent holds the consent.Store items (consent.go).
	consent consentItems
	// learn holds the learn.Store items (learn.go).
	learn learnItems
}

var (
	_ conversation.Store = (*Store)(nil)
	_ dedup.Store        = (*Store)(nil)
)

// New returns an empty Store on the real clock.
func New() *Store { return &Store{Now: time.Now} }

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// live reports whether an item expiring at exp still exists at now. Both are compared in whole
// epoch seconds, as DynamoDB compares its TTL attribute.
func live(exp, now time.Time) bool { return exp.Unix() > now.Unix() }

// toSecond drops the sub-second part, as the epoch-seconds TTL attribute does.
func toSecond(t time.Time) time.Time { return time.Unix(t.Unix(), 0) }

// trim keeps m within limit (see Store.Limit): expired items go first, then the ones whose
// expiry (exp) comes soonest; keep, the item just written, stays. The caller holds the lock.
func trim[K comparable, V any](m map[K]V, keep K, limit int, now time.Time, exp func(V) time.Time) {
	if limit <= 0 || len(m) <= limit {
		return
	}
	for k, v := range m {
		if k != keep && !live(exp(v), now) {
			delete(m, k)
		}
	}
	for len(m) > limit {
		var (
			oldest K
			at     time.Time
			found  bool
		)
		for k, v := range m {
			if e := exp(v); k != keep && (!found || e.Before(at)) {
				oldest, at, found = k, e, true
			}
		}
		if !found {
			return
		}
		delete(m, oldest)
	}
}

func convExpiry(c *conversation.Conversation) time.Time { return c.ExpiresAt }
func sendExpiry(s dedup.Send) time.Time                 { return s.ExpiresAt }
func seenExpiry(t time.Time) time.Time                  { return t }
