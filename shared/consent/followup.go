package consent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// PurposeWhatsAppFollowUp names the permission to tell a customer on WhatsApp that an agent has
// answered a conversation the customer started elsewhere (Messenger, Instagram, a comment).
// WhatsApp requires the customer's opt-in before a business starts a conversation
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/getting-opt-in).
//
// The ledger keeps it apart from ad-signal consent: under its own subject id (FollowUpSubject),
// with its own record and history, granted only explicitly (no regime default), pointing at the
// WhatsApp number's subject (Record.Target). Any opt-out of the customer withdraws it, and an
// erasure of the customer erases it.
const PurposeWhatsAppFollowUp = "whatsapp_followup"

// FollowUpSubject returns the subject id under which the ledger keeps subject's WhatsApp
// follow-up permission: derived with the pepper, so it reveals nothing and cannot collide with
// a customer's subject id.
func (s Subjects) FollowUpSubject(subject string) string {
	m := hmac.New(sha256.New, s.Pepper)
	m.Write([]byte("purpose\x00" + PurposeWhatsAppFollowUp + "\x00" + subject))
	return SubjectPrefix + subjectEncoding.EncodeToString(m.Sum(nil)[:subjectBytes])
}

// GrantFollowUp records that the customer of key allowed a WhatsApp follow-up to number (E.164
// digits without "+", the wa_id), in the chat, at at. Granting again with another number
// replaces the number; the history keeps both.
func (l *Ledger) GrantFollowUp(ctx context.Context, key channel.Key, number string, at time.Time) error {
	const op = "consent.GrantFollowUp"
	if key.IsZero() || number == "" {
		return apperr.E(op, apperr.Invalid, "conversation key and number are required")
	}
	subject := l.Subjects.Key(key)
	_, err := l.recordPurpose(ctx, op, l.Subjects.FollowUpSubject(subject), Granted, SourceChat, ActorCustomer,
		key.Surface, l.Subjects.ID(channel.WhatsApp, number), at)
	return err
}

// FollowUpAllowed reports whether a WhatsApp follow-up to number may be sent now for the
// customer of key: the customer granted it for exactly that number, and neither the customer
// nor the WhatsApp number opted out (of anything, from any source) at or after the grant. Ask
// it right before sending.
func (l *Ledger) FollowUpAllowed(ctx context.Context, key channel.Key, number string) (bool, error) {
	const op = "consent.FollowUpAllowed"
	subject := l.Subjects.Key(key)
	grant, err := l.Store.GetConsent(ctx, l.Subjects.FollowUpSubject(subject))
	switch {
	case apperr.Is(err, apperr.NotFound):
		return false, nil
	case err != nil:
		return false, apperr.Wrap(op, apperr.Other, err, "")
	}
	if grant.State != Granted || number == "" || grant.Target != l.Subjects.ID(channel.WhatsApp, number) {
		return false, nil
	}
	for _, s := range []string{subject, grant.Target} {
		rec, err := l.Store.GetConsent(ctx, s)
		switch {
		case apperr.Is(err, apperr.NotFound):
			continue
		case err != nil:
			return false, apperr.Wrap(op, apperr.Other, err, "")
		}
		if rec.State == Denied && !rec.At.Before(grant.At) {
			return false, nil
		}
	}
	return true, nil
}

// withdrawFollowUp records the withdrawal of subject's WhatsApp follow-up permission, if it has
// one that is granted: called for every denial, whatever its source.
func (l *Ledger) withdrawFollowUp(ctx context.Context, subject, source, actor string, surface channel.Surface, at time.Time) error {
	const op = "consent.withdrawFollowUp"
	fs := l.Subjects.FollowUpSubject(subject)
	cur, err := l.Store.GetConsent(ctx, fs)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return nil
	case err != nil:
		return apperr.Wrap(op, apperr.Other, err, "")
	case cur.State == Denied:
		return nil
	}
	_, err = l.recordPurpose(ctx, op, fs, Denied, source, actor, surface, cur.Target, at)
	return err
}

// recordPurpose writes a purpose record and its history entry under optimistic locking, like
// Decide but without a regime and without Decide's side effects (a purpose subject has no
// conversations). A decision equal to the current one, or older, is not recorded.
func (l *Ledger) recordPurpose(ctx context.Context, op apperr.Op, subject string, state State, source, actor string,
	surface channel.Surface, target string, at time.Time) (changed bool, err error) {
	now := l.now()
	if at.IsZero() {
		at = now
	}
	for attempt := 1; ; attempt++ {
		cur, err := l.Store.GetConsent(ctx, subject)
		switch {
		case apperr.Is(err, apperr.NotFound):
			cur = nil
		case err != nil:
			return false, apperr.Wrap(op, apperr.Other, err, "")
		}
		if cur != nil && ((cur.State == state && cur.Target == target) || at.Before(cur.At)) {
			return false, nil
		}
		rec := &Record{Subject: subject, State: state, Source: source, Actor: actor, At: at, Surface: surface,
			Target: target, UpdatedAt: now}
		if cur != nil {
			rec.Version = cur.Version
		}
		change := Change{Subject: subject, State: state, Source: source, Actor: actor, At: at, Surface: surface,
			Target: target, Version: rec.Version + 1, ExpiresAt: now.Add(l.retention())}
		err = l.Store.PutConsent(ctx, rec, change)
		if err == nil {
			return true, nil
		}
		if !apperr.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return false, apperr.Wrap(op, apperr.Other, err, "")
		}
	}
}

// WithdrawFollowUp records that the customer of key took the WhatsApp follow-up back (for
// instance "kein WhatsApp" in the chat). Withdrawing what was never granted is not an error.
func (l *Ledger) WithdrawFollowUp(ctx context.Context, key channel.Key, source string, at time.Time) error {
	if key.IsZero() || source == "" {
		return apperr.E("consent.WithdrawFollowUp", apperr.Invalid, "conversation key and source are required")
	}
	return l.withdrawFollowUp(ctx, l.Subjects.Key(key), source, ActorCustomer, key.Surface, at)
}
