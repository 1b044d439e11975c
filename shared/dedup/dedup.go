// Package dedup defines the idempotency records that make at-least-once delivery (Meta and
// Slack retry, SQS redelivers) produce exactly one effect: seen inbound events and reserved
// outbound sends.
package dedup

import (
	"context"
	"time"
)

// SendState is the state of an outbound send.
type SendState string

// Send states.
const (
	Pending SendState = "pending" // reserved; the platform call may or may not have happened
	Sent    SendState = "sent"    // the platform accepted it
)

// Send is the outbound idempotency record of one message to a customer (or a Slack post).
type Send struct {
	// Key is the idempotency key: derived from the event that caused the send, never random.
	Key   string    `json:"key"`
	State SendState `json:"state"`
	// MessageID is the platform's id of the sent message (wamid, mid, Slack ts).
	MessageID  string    `json:"messageId,omitempty"`
	ReservedAt time.Time `json:"reservedAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// Store persists idempotency records. Errors are *apperr.Error (Transient when throttled).
type Store interface {
	// MarkSeen records the event id until expiresAt. It reports true the first time and false
	// when the id was already recorded and has not expired.
	MarkSeen(ctx context.Context, id string, expiresAt time.Time) (first bool, err error)
	// ForgetSeen drops the record of an event id, so a retry of an event whose processing
	// failed after MarkSeen is not mistaken for a duplicate. Forgetting an unknown id is not an
	// error.
	ForgetSeen(ctx context.Context, id string) error

	// ClaimSend reserves s.Key (s.State is ignored and stored as Pending). It succeeds when no
	// live record exists, or when the existing record is Pending and was reserved before
	// staleBefore (the worker that reserved it died mid-send). Otherwise it reports ok=false
	// with the existing record, and the caller must not send.
	ClaimSend(ctx context.Context, s Send, staleBefore time.Time) (existing *Send, ok bool, err error)
	// CompleteSend marks the reservation Sent with the platform's message id.
	CompleteSend(ctx context.Context, key, messageID string) error
	// ReleaseSend drops a Pending reservation after a send failed, so a retry can claim it. It
	// never drops a Sent record.
	ReleaseSend(ctx context.Context, key string) error
}
