package memstore

import (
	"context"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
)

// MarkSeen records id until expiresAt and reports whether it was not already recorded.
func (s *Store) MarkSeen(_ context.Context, id string, expiresAt time.Time) (bool, error) {
	const op apperr.Op = "memstore.MarkSeen"
	if id == "" || expiresAt.IsZero() {
		return false, apperr.E(op, apperr.Invalid, "event id and expiry are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.seen[id]; ok && live(exp, s.now()) {
		return false, nil
	}
	if s.seen == nil {
		s.seen = make(map[string]time.Time)
	}
	s.seen[id] = toSecond(expiresAt)
	trim(s.seen, id, s.Limit, s.now(), seenExpiry)
	return true, nil
}

// ForgetSeen drops the record of id.
func (s *Store) ForgetSeen(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, id)
	return nil
}

// ClaimSend reserves s.Key as Pending unless a live record exists that is Sent or was
// reserved at or after staleBefore; then it returns a copy of that record and ok=false.
// A zero s.ReservedAt is set to the store's clock.
func (s *Store) ClaimSend(_ context.Context, send dedup.Send, staleBefore time.Time) (*dedup.Send, bool, error) {
	const op apperr.Op = "memstore.ClaimSend"
	if send.Key == "" || send.ExpiresAt.IsZero() {
		return nil, false, apperr.E(op, apperr.Invalid, "send key and expiry are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if old, ok := s.sends[send.Key]; ok && live(old.ExpiresAt, now) &&
		(old.State != dedup.Pending || !old.ReservedAt.Before(staleBefore)) {
		return &old, false, nil
	}
	send.State = dedup.Pending
	send.MessageID = ""
	if send.ReservedAt.IsZero() {
		send.ReservedAt = now
	}
	send.ExpiresAt = toSecond(send.ExpiresAt)
	if s.sends == nil {
		s.sends = make(map[string]dedup.Send)
	}
	s.sends[send.Key] = send
	trim(s.sends, send.Key, s.Limit, now, sendExpiry)
	return nil, true, nil
}

// CompleteSend marks the live reservation of key Sent with the platform's message id, or
// returns NotFound.
func (s *Store) CompleteSend(_ context.Context, key, messageID string) error {
	const op apperr.Op = "memstore.CompleteSend"
	if key == "" {
		return apperr.E(op, apperr.Invalid, "send key is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.sends[key]
	if !ok || !live(old.ExpiresAt, s.now()) {
		return apperr.E(op, apperr.NotFound, "no reservation for this send")
	}
	old.State = dedup.Sent
	old.MessageID = messageID
	s.sends[key] = old
	return nil
}

// ReleaseSend drops a Pending reservation; a Sent or absent record is left as it is.
func (s *Store) ReleaseSend(_ context.Context, key string) error {
	const op apperr.Op = "memstore.ReleaseSend"
	if key == "" {
		return apperr.E(op, apperr.Invalid, "send key is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.sends[key]; ok && old.State == dedup.Pending {
		delete(s.sends, key)
	}
	return nil
}
