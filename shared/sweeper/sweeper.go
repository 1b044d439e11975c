package sweeper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// Window is the customer-service window: after the customer's last message, free-form replies
// are allowed for this long.
const Window = 24 * time.Hour

// Sweeper holds the policy. A zero duration turns its task off.
type Sweeper struct {
	Conversations conversation.Store
	Desk          desk.Desk
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// ReannounceAfter: an escalation unclaimed this long since it was (re-)announced is posted
	// again into the thread and the channel.
	ReannounceAfter time.Duration
	// WarnBefore: once per window, the thread is told this long before the customer's 24-hour
	// window closes.
	WarnBefore time.Duration
	// CloseIdleAfter: a claimed conversation without activity this long is closed.
	CloseIdleAfter time.Duration
	// Limit bounds the conversations read per status and run; 100 when zero. A run that hits
	// it reports Truncated, and the next run continues (least recently updated first).
	Limit int
	// Threads, when set, records the sweeper's posts in the erasure index of the conversation's
	// customer (*consent.SlackRecorder).
	Threads Threads
	// Digest, when set, retires accepted suggestions and posts the weekly digest.
	Digest *Digest
}

// Threads keeps the erasure index of Slack threads (*consent.SlackRecorder).
type Threads interface {
	Record(ctx context.Context, key channel.Key, linked *channel.Key, ch, threadTS string, ts ...string) error
}

// Report counts what a run did.
type Report struct {
	Reannounced int
	Warned      int
	Closed      int
	// Conflicts counts conversations skipped because the bot changed them meanwhile.
	Conflicts int
	// Failed counts conversations whose update or Slack post failed.
	Failed int
	// Truncated is set when a status had more conversations than Limit.
	Truncated bool
	// Digest is what the weekly digest did.
	Digest DigestReport
}

// Run sweeps once. It goes on after a failure with one conversation and returns the report
// with every failure joined into the error.
func (s *Sweeper) Run(ctx context.Context) (Report, error) {
	const op apperr.Op = "sweeper.Run"
	var r Report
	if s.Conversations == nil || s.Desk == nil {
		return r, apperr.E(op, apperr.Internal, "sweeper needs a conversation store and a desk")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	limit := s.Limit
	if limit <= 0 {
		limit = 100
	}
	var errs []error
	for _, status := range []conversation.Status{conversation.Escalated, conversation.Claimed} {
		convs, err := s.Conversations.ConversationsByStatus(ctx, status, limit)
		if err != nil {
			return r, apperr.Wrap(op, apperr.Other, err, "cannot list "+string(status)+" conversations")
		}
		if len(convs) >= limit {
			r.Truncated = true
		}
		for _, c := range convs {
			if err := ctx.Err(); err != nil {
				return r, errors.Join(append(errs, err)...)
			}
			if c.SlackChannel == "" || c.ThreadTS == "" {
				continue // escalated without a thread: nothing to post into
			}
			ctx := s.recording(ctx, c)
			t := now()
			if status == conversation.Claimed {
				closed, err := s.closeIdle(ctx, c, t, &r)
				errs = appendErr(errs, err)
				if closed {
					continue
				}
			} else {
				errs = appendErr(errs, s.reannounce(ctx, c, t, &r))
			}
			errs = appendErr(errs, s.warn(ctx, c, t, &r))
		}
	}
	if s.Digest != nil {
		var err error
		r.Digest, err = s.Digest.Run(ctx)
		errs = appendErr(errs, err)
	}
	if len(errs) > 0 {
		return r, errors.Join(errs...)
	}
	return r, nil
}

// recording returns ctx in which the sweeper's desk posts about c are indexed for erasure; a
// record that fails leaves the post standing (the erasure also reads the thread).
func (s *Sweeper) recording(ctx context.Context, c *conversation.Conversation) context.Context {
	if s.Threads == nil {
		return ctx
	}
	return desk.WithPosted(ctx, func(ctx context.Context, t desk.Thread, ts string) {
		_ = s.Threads.Record(ctx, c.Key, c.Linked, t.Channel, t.TS, ts)
	})
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

// put writes c; a lost race is counted and reported as false, nil.
func (s *Sweeper) put(ctx context.Context, c *conversation.Conversation, r *Report) (bool, error) {
	err := s.Conversations.PutConversation(ctx, c)
	switch {
	case err == nil:
		return true, nil
	case apperr.Is(err, apperr.Conflict), apperr.Is(err, apperr.NotFound):
		r.Conflicts++
		return false, nil
	}
	r.Failed++
	return false, fmt.Errorf("sweep conversation %s: %w", c.ThreadTS, err)
}

func (s *Sweeper) reannounce(ctx context.Context, c *conversation.Conversation, now time.Time, r *Report) error {
	if s.ReannounceAfter <= 0 {
		return nil
	}
	last := firstTime(c.AnnouncedAt, c.EscalatedAt, c.UpdatedAt)
	if last.IsZero() || now.Sub(last) < s.ReannounceAfter {
		return nil
	}
	waited := now.Sub(firstTime(c.EscalatedAt, last))
	// Record first: a lost race (the bot claimed it meanwhile) posts nothing, and a failed post
	// is not repeated every run.
	c.AnnouncedAt = now
	if ok, err := s.put(ctx, c, r); !ok {
		return err
	}
	if err := s.Desk.Reannounce(ctx, desk.ThreadOf(c), desk.Note{Kind: desk.Unclaimed, Duration: waited}); err != nil {
		r.Failed++
		return fmt.Errorf("re-announce %s: %w", c.ThreadTS, err)
	}
	r.Reannounced++
	return nil
}

func (s *Sweeper) warn(ctx context.Context, c *conversation.Conversation, now time.Time, r *Report) error {
	if s.WarnBefore <= 0 || c.LastInboundAt.IsZero() || c.Key.Surface == channel.Comment {
		return nil
	}
	left := c.LastInboundAt.Add(Window).Sub(now)
	if left <= 0 || left > s.WarnBefore {
		return nil
	}
	if !c.WarnedAt.IsZero() && !c.WarnedAt.Before(c.LastInboundAt) {
		return nil // already warned in this window
	}
	c.WarnedAt = now
	if ok, err := s.put(ctx, c, r); !ok {
		return err
	}
	if err := s.Desk.Note(ctx, desk.ThreadOf(c), desk.Note{Kind: desk.WindowCloses, Surface: c.Key.Surface, Duration: left}); err != nil {
		r.Failed++
		return fmt.Errorf("window warning %s: %w", c.ThreadTS, err)
	}
	r.Warned++
	return nil
}

func (s *Sweeper) closeIdle(ctx context.Context, c *conversation.Conversation, now time.Time, r *Report) (bool, error) {
	if s.CloseIdleAfter <= 0 {
		return false, nil
	}
	last := latest(c.UpdatedAt, c.LastInboundAt, c.ClaimedAt)
	if last.IsZero() || now.Sub(last) < s.CloseIdleAfter {
		return false, nil
	}
	idle := now.Sub(last)
	c.Status = conversation.Closed
	c.UpdatedAt = now
	if ok, err := s.put(ctx, c, r); !ok {
		return false, err
	}
	r.Closed++
	if followUp(c) {
		// The thread and its card belong to the conversation the customer started on; that
		// one posts when it closes. Closing its WhatsApp follow-up says nothing.
		return true, nil
	}
	var errs []error
	if err := s.Desk.Note(ctx, desk.ThreadOf(c), desk.Note{Kind: desk.ClosedIdle, Duration: idle}); err != nil {
		errs = append(errs, err)
	}
	card := desk.CardOf(c)
	card.Agent = "" // closed by the sweep, not resolved by the agent who had it
	if err := s.Desk.Update(ctx, desk.ThreadOf(c), card); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		r.Failed++
		return true, fmt.Errorf("close idle %s: %w", c.ThreadTS, errors.Join(errs...))
	}
	return true, nil
}

// followUp reports whether c is a WhatsApp follow-up of a conversation that started on another
// surface and shares its thread.
func followUp(c *conversation.Conversation) bool {
	return c.Linked != nil && c.Key.Surface == channel.WhatsApp && c.Linked.Surface != channel.WhatsApp
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}
