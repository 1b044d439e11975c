package adsignals

import (
	"context"
	"log/slog"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// Moment is a point in a conversation worth telling the ad system about.
type Moment string

// Moments.
const (
	// FirstAdMessage is the customer's first message after clicking an ad (it carries the
	// referral and, on WhatsApp, the ctwa_clid).
	FirstAdMessage Moment = "first_ad_message"
	// Lead is an agent marking the conversation a lead (channel.ActionLead).
	Lead Moment = "lead"
	// Resolved is an agent resolving the conversation.
	Resolved Moment = "resolved"
)

// DefaultEvents names the event of each moment: a first ad message is LeadSubmitted, an
// agent's lead QualifiedLead; a resolution sends nothing unless configured (no standard event
// means "resolved"; OrderCreated or RatingProvided may fit a business).
func DefaultEvents() map[Moment]string {
	return map[Moment]string{FirstAdMessage: "LeadSubmitted", Lead: "QualifiedLead"}
}

// Outcome says what Signal did.
type Outcome string

// Outcomes. Only Sent means an event left.
const (
	Sent          Outcome = "sent"
	Suppressed    Outcome = "suppressed"     // the subject denied ad-data sharing (or never granted under opt-in)
	NotAttributed Outcome = "not_attributed" // no ad referral, or WhatsApp without ctwa_clid
	Disabled      Outcome = "disabled"       // the moment has no event configured
	Unconfigured  Outcome = "unconfigured"   // no dataset for the account, or an unsupported surface
	TooOld        Outcome = "too_old"        // the moment is older than MaxEventAge
	Duplicate     Outcome = "duplicate"      // this moment of this event was sent already
)

// Gate is the consent check; *consent.Ledger satisfies it.
type Gate interface {
	AllowedKey(ctx context.Context, key channel.Key) (bool, *consent.Record, error)
}

// Sender sends events; *capi.Client (package adsignals/capi) satisfies it.
type Sender interface {
	Send(ctx context.Context, surface channel.Surface, dataset string, events ...Event) (*Response, error)
}

// Signaler turns conversation moments into Conversions API events, through the consent gate.
type Signaler struct {
	Client Sender
	Gate   Gate
	// Accounts maps Key.Account to its dataset (see ParseAccounts).
	Accounts map[string]Account
	// Events maps moments to event names; nil means DefaultEvents. A moment mapped to "" is off.
	Events map[Moment]string
	// Sends, when set, makes Signal idempotent per moment and triggering event id.
	Sends dedup.Store
	// Metrics counts suppressions (metrics.ConsentSuppressions); nil discards.
	Metrics metrics.Recorder
	// Logger logs outcomes without ids; nil discards.
	Logger *slog.Logger
	Now    func() time.Time
}

func (s *Signaler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Signaler) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// sendRetention is how long a sent ad signal's idempotency record lives (dedup's 7 days).
const sendRetention = 7 * 24 * time.Hour

// Signal sends the moment's event for the conversation, if everything allows it: the moment has
// an event, the conversation came from an ad (WhatsApp: with a ctwa_clid), its account has a
// dataset, the moment is at most MaxEventAge old (at; zero means now), and, checked last, right
// before the call, the customer's consent allows sharing. eventID is the id of the event that
// caused the moment (the wamid, the Slack event id): with Sends set, a moment is sent once per
// eventID. Every outcome but Sent leaves nothing at Meta; only failures return an error.
func (s *Signaler) Signal(ctx context.Context, moment Moment, c *conversation.Conversation, eventID string, at time.Time) (Outcome, error) {
	const op = "adsignals.Signal"
	events := s.Events
	if events == nil {
		events = DefaultEvents()
	}
	name := events[moment]
	if name == "" {
		return Disabled, nil
	}
	mc := MessagingChannel(c.Key.Surface)
	acct, ok := s.Accounts[c.Key.Account]
	if mc == "" || !ok || acct.Dataset == "" || (c.Key.Surface == channel.WhatsApp && acct.BusinessID == "") {
		return s.outcome(ctx, Unconfigured, moment, c), nil
	}
	if !c.Referral.FromAd() || (c.Key.Surface == channel.WhatsApp && c.Referral.CtwaClid == "") {
		return s.outcome(ctx, NotAttributed, moment, c), nil
	}
	now := s.now()
	if at.IsZero() || at.After(now) {
		at = now
	}
	if now.Sub(at) > MaxEventAge {
		return s.outcome(ctx, TooOld, moment, c), nil
	}
	ev := Event{EventName: name, EventTime: at.Unix(), ActionSource: ActionSource, MessagingChannel: mc,
		UserData: userData(c.Key, acct, c.Referral)}

	key := ""
	if s.Sends != nil && eventID != "" {
		key = "capi#" + string(moment) + "#" + eventID
		if _, ok, err := s.Sends.ClaimSend(ctx, dedup.Send{Key: key, ReservedAt: now, ExpiresAt: now.Add(sendRetention)}, now.Add(-time.Minute)); err != nil {
			return "", apperr.Wrap(op, apperr.Other, err, "")
		} else if !ok {
			return s.outcome(ctx, Duplicate, moment, c), nil
		}
	}
	release := func() {
		if key != "" {
			_ = s.Sends.ReleaseSend(context.WithoutCancel(ctx), key)
		}
	}

	// The consent check is the last step before the call: a denial recorded a moment ago wins.
	allowed, _, err := s.Gate.AllowedKey(ctx, c.Key)
	if err != nil {
		release()
		return "", apperr.Wrap(op, apperr.Other, err, "")
	}
	if !allowed {
		release()
		if s.Metrics != nil {
			s.Metrics.Count(metrics.ConsentSuppressions, 1)
		}
		return s.outcome(ctx, Suppressed, moment, c), nil
	}
	res, err := s.Client.Send(ctx, c.Key.Surface, acct.Dataset, ev)
	if err != nil {
		release()
		return "", apperr.Wrap(op, apperr.Other, err, "")
	}
	if key != "" {
		if err := s.Sends.CompleteSend(ctx, key, res.FBTraceID); err != nil {
			return Sent, apperr.Wrap(op, apperr.Other, err, "")
		}
	}
	return s.outcome(ctx, Sent, moment, c), nil
}

func (s *Signaler) outcome(ctx context.Context, o Outcome, m Moment, c *conversation.Conversation) Outcome {
	level := slog.LevelDebug
	if o == Sent || o == Suppressed {
		level = slog.LevelInfo
	}
	s.log().Log(ctx, level, "ad signal", "outcome", string(o), "moment", string(m), "surface", string(c.Key.Surface))
	return o
}

// userData returns the channel's user_data keys.
func userData(k channel.Key, a Account, r *channel.Referral) map[string]string {
	biz := a.BusinessID
	if biz == "" {
		biz = k.Account
	}
	switch k.Surface {
	case channel.WhatsApp:
		return map[string]string{"whatsapp_business_account_id": biz, "ctwa_clid": r.CtwaClid}
	case channel.Messenger:
		return map[string]string{"page_id": biz, "page_scoped_user_id": k.User}
	case channel.Instagram:
		return map[string]string{"instagram_business_account_id": biz, "ig_sid": k.User}
	}
	return nil
}
