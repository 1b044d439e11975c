package consent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

// DefaultHistoryRetention is how long a consent history entry is kept: three years, the regular
// limitation period (§ 195 BGB) within which a business may have to prove a decision.
const DefaultHistoryRetention = 3 * 365 * 24 * time.Hour

// Actors recorded with a decision that has no named caller.
const (
	ActorCustomer = "customer" // the customer, in the chat or in the platform's settings
	ActorMeta     = "meta"     // Meta's data deletion callback
)

// writeAttempts bounds the retries of an optimistic write that lost a race.
const writeAttempts = 4

// Ledger records consent decisions and answers whether a subject's data may be shared. It is the
// single enforcement point: every ad signal asks Allowed right before it is sent.
type Ledger struct {
	Store    Store
	Subjects Subjects
	// Regime decides subjects without a record; empty means OptOut.
	Regime Regime
	// Conversations is where a denial erases the stored ad referral (ctwa_clid).
	Conversations conversation.Store
	// Preferences maps platform preference changes to decisions; nil means
	// DefaultPreferenceMapping.
	Preferences *PreferenceMapping
	// HistoryRetention is how long history entries live; 0 means DefaultHistoryRetention.
	HistoryRetention time.Duration
	// DefaultLocale is the language of a confirmation when neither the command nor the
	// conversation tells one; empty means "en".
	DefaultLocale string
	// Slack, when set, erases the bot's messages about an erased subject from Slack first.
	Slack *SlackEraser
	// Suggestions, when set, loses an erased subject's knowledge-base suggestions.
	Suggestions SuggestionEraser
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// SuggestionEraser deletes a subject's knowledge-base suggestions (learn.Store).
type SuggestionEraser interface {
	EraseSubjectSuggestions(ctx context.Context, subject string) error
}

func (l *Ledger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Ledger) regime() Regime {
	if l.Regime == "" {
		return OptOut
	}
	return l.Regime
}

func (l *Ledger) retention() time.Duration {
	if l.HistoryRetention > 0 {
		return l.HistoryRetention
	}
	return DefaultHistoryRetention
}

// Decision is one consent decision to record.
type Decision struct {
	Subject string
	State   State
	Source  string
	Actor   string
	Surface channel.Surface
	// At is when the decision was made (the message or webhook time); zero means now.
	At time.Time
	// Keys are conversations of the subject the caller knows of, cleaned of ad data on a denial
	// in addition to the linked ones (see Ledger.Track).
	Keys []channel.Key
	// Skip is a conversation the caller holds in memory and cleans itself; it is not written.
	Skip channel.Key
}

// Decide records a decision as the subject's current state plus a history entry, atomically.
// A decision that does not change the state is not recorded again, nor is one older than the
// current record (platform webhooks arrive out of order); changed reports whether it was
// recorded. A denial also erases the ad referral (ctwa_clid, ad id) of the subject's
// conversations, every time, so a redelivered denial finishes an interrupted erasure.
func (l *Ledger) Decide(ctx context.Context, d Decision) (rec *Record, changed bool, err error) {
	const op = "consent.Decide"
	switch {
	case !ValidSubjectID(d.Subject):
		return nil, false, apperr.E(op, apperr.Invalid, "subject id is malformed")
	case !d.State.Valid():
		return nil, false, apperr.E(op, apperr.Invalid, "state must be granted or denied")
	case d.Source == "":
		return nil, false, apperr.E(op, apperr.Invalid, "source is empty")
	}
	now := l.now()
	at := d.At
	if at.IsZero() {
		at = now
	}
	for attempt := 1; ; attempt++ {
		cur, err := l.Store.GetConsent(ctx, d.Subject)
		switch {
		case apperr.Is(err, apperr.NotFound):
			cur = nil
		case err != nil:
			return nil, false, apperr.Wrap(op, apperr.Other, err, "")
		}
		if cur != nil && (cur.State == d.State || at.Before(cur.At)) {
			rec = cur
			break
		}
		rec = &Record{Subject: d.Subject, State: d.State, Source: d.Source, Actor: d.Actor, At: at,
			Surface: d.Surface, UpdatedAt: now}
		if cur != nil {
			rec.Version = cur.Version
		}
		change := Change{Subject: d.Subject, State: d.State, Source: d.Source, Actor: d.Actor, At: at,
			Surface: d.Surface, Version: rec.Version + 1, ExpiresAt: now.Add(l.retention())}
		err = l.Store.PutConsent(ctx, rec, change)
		if err == nil {
			changed = true
			break
		}
		if !apperr.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return nil, false, apperr.Wrap(op, apperr.Other, err, "")
		}
	}
	if d.State == Denied {
		if err := l.eraseAdData(ctx, d.Subject, d.Keys, d.Skip); err != nil {
			return rec, changed, apperr.Wrap(op, apperr.Other, err, "")
		}
		// Any opt-out also withdraws the WhatsApp follow-up (followup.go).
		if err := l.withdrawFollowUp(ctx, d.Subject, d.Source, d.Actor, d.Surface, at); err != nil {
			return rec, changed, apperr.Wrap(op, apperr.Other, err, "")
		}
	}
	return rec, changed, nil
}

// eraseAdData drops the referral of every conversation of the subject except skip.
func (l *Ledger) eraseAdData(ctx context.Context, subject string, keys []channel.Key, skip channel.Key) error {
	linked, err := l.Store.SubjectConversations(ctx, subject)
	if err != nil {
		return err
	}
	all := slices.Concat(linked, keys)
	seen := make(map[channel.Key]bool, len(all))
	for _, k := range all {
		if seen[k] || k == skip || l.Conversations == nil {
			continue
		}
		seen[k] = true
		if err := l.dropReferral(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

func (l *Ledger) dropReferral(ctx context.Context, k channel.Key) error {
	for attempt := 1; ; attempt++ {
		c, err := l.Conversations.GetConversation(ctx, k)
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.Referral == nil {
			return nil
		}
		c.Referral = nil
		c.UpdatedAt = l.now()
		err = l.Conversations.PutConversation(ctx, c)
		if err == nil || !apperr.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return err
		}
	}
}

// Allowed reports whether the subject's data may be sent to Meta now: its recorded state, or
// the regime's default when it never decided (rec is nil then). Ask it at send time.
func (l *Ledger) Allowed(ctx context.Context, subject string) (ok bool, rec *Record, err error) {
	rec, err = l.Store.GetConsent(ctx, subject)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return l.regime().Default() == Granted, nil, nil
	case err != nil:
		return false, nil, apperr.Wrap("consent.Allowed", apperr.Other, err, "")
	}
	return rec.State == Granted, rec, nil
}

// AllowedKey is Allowed for the customer of a conversation.
func (l *Ledger) AllowedKey(ctx context.Context, key channel.Key) (bool, *Record, error) {
	return l.Allowed(ctx, l.Subjects.Key(key))
}

// Current returns the subject's state: its record, or the regime's default (explicit false).
func (l *Ledger) Current(ctx context.Context, subject string) (state State, rec *Record, explicit bool, err error) {
	rec, err = l.Store.GetConsent(ctx, subject)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return l.regime().Default(), nil, false, nil
	case err != nil:
		return "", nil, false, apperr.Wrap("consent.Current", apperr.Other, err, "")
	}
	return rec.State, rec, true, nil
}

// Track links a conversation to its customer's subject until the conversation expires, so an
// erasure or a denial from the privacy page finds it. Call it whenever a conversation is
// created or its ExpiresAt moves (in practice: after every PutConversation of an inbound).
func (l *Ledger) Track(ctx context.Context, c *conversation.Conversation) error {
	const op = "consent.Track"
	if c.Key.IsZero() || c.ExpiresAt.IsZero() {
		return apperr.E(op, apperr.Invalid, "conversation without key or expiry")
	}
	if err := l.Store.LinkConversation(ctx, l.Subjects.Key(c.Key), c.Key, c.ExpiresAt); err != nil {
		return apperr.Wrap(op, apperr.Other, err, "")
	}
	// A WhatsApp follow-up belongs to the customer it follows up too: erasing that customer
	// deletes it (followup.go).
	if c.Linked != nil && !c.Linked.IsZero() && c.Key.Surface == channel.WhatsApp {
		if err := l.Store.LinkConversation(ctx, l.Subjects.Key(*c.Linked), c.Key, c.ExpiresAt); err != nil {
			return apperr.Wrap(op, apperr.Other, err, "")
		}
	}
	return nil
}

// HandleChat handles a customer's message that may be a consent command (see Detect). When it
// is, it records the decision with source "chat", and on a denial clears c.Referral in memory
// (the caller stores c, as it does anyway) and erases the referral of the subject's other
// conversations. reply is the confirmation to send, in the language of the command, else the
// conversation's, else DefaultLocale. handled is false for any other message.
func (l *Ledger) HandleChat(ctx context.Context, c *conversation.Conversation, text string, at time.Time) (handled bool, reply string, err error) {
	cmd, locale, ok := Detect(text)
	if !ok {
		return false, "", nil
	}
	state := cmd.State()
	_, _, err = l.Decide(ctx, Decision{Subject: l.Subjects.Key(c.Key), State: state, Source: SourceChat,
		Actor: ActorCustomer, Surface: c.Key.Surface, At: at, Skip: c.Key})
	if err != nil {
		return true, "", err
	}
	if state == Denied {
		c.Referral = nil
	}
	if locale == "" {
		locale = c.Locale
	}
	def := l.DefaultLocale
	if def == "" {
		def = "en"
	}
	return true, Confirmation(cmd, locale, def), nil
}

// PreferenceAction is what a platform preference change does to ad-signal consent.
type PreferenceAction string

// Preference actions.
const (
	Ignore PreferenceAction = "ignore"
	Deny   PreferenceAction = "deny"
	Grant  PreferenceAction = "grant"
)

// PreferenceMapping maps the platforms' marketing preference changes to consent decisions.
// WhatsApp's user_preferences and Messenger's notification messages cover marketing messages,
// not ad-data sharing, so mapping them is a product decision.
type PreferenceMapping struct {
	// MarketingStop and MarketingResume: WhatsApp user_preferences, category
	// marketing_messages, value stop / resume.
	MarketingStop   PreferenceAction
	MarketingResume PreferenceAction
	// NotificationStop and NotificationResume: Messenger messaging_optins,
	// "STOP NOTIFICATIONS" / "RESUME NOTIFICATIONS".
	NotificationStop   PreferenceAction
	NotificationResume PreferenceAction
}

// DefaultPreferenceMapping treats a stop of marketing messages as a denial too (someone who
// stops a business's marketing rarely wants to feed its ads) and ignores a resume: getting
// offers again is not consent to share chat data, which the customer grants explicitly.
func DefaultPreferenceMapping() PreferenceMapping {
	return PreferenceMapping{MarketingStop: Deny, MarketingResume: Ignore, NotificationStop: Deny, NotificationResume: Ignore}
}

// ParsePreferenceMapping parses "marketing_stop=deny,marketing_resume=ignore,
// notification_stop=deny,notification_resume=grant"; names left out keep their default.
func ParsePreferenceMapping(s string) (PreferenceMapping, error) {
	const op = "consent.ParsePreferenceMapping"
	m := DefaultPreferenceMapping()
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, _ := strings.Cut(item, "=")
		a := PreferenceAction(strings.ToLower(strings.TrimSpace(val)))
		if a != Ignore && a != Deny && a != Grant {
			return m, apperr.E(op, apperr.Invalid, "preference action must be ignore, deny or grant: "+item)
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "marketing_stop":
			m.MarketingStop = a
		case "marketing_resume":
			m.MarketingResume = a
		case "notification_stop":
			m.NotificationStop = a
		case "notification_resume":
			m.NotificationResume = a
		default:
			return m, apperr.E(op, apperr.Invalid, "unknown preference: "+name)
		}
	}
	return m, nil
}

// action returns the mapped action and the decision source of a preference change.
func (m PreferenceMapping) action(p *channel.Preference) (PreferenceAction, string) {
	v := strings.ToLower(strings.TrimSpace(p.Value))
	stop := v == "stop" || v == "stop notifications"
	resume := v == "resume" || v == "resume notifications"
	switch strings.ToLower(p.Category) {
	case "marketing_messages":
		switch {
		case stop:
			return m.MarketingStop, SourceWhatsAppPrefs
		case resume:
			return m.MarketingResume, SourceWhatsAppPrefs
		}
	case "notification_messages":
		switch {
		case stop:
			return m.NotificationStop, SourceMessengerOptin
		case resume:
			return m.NotificationResume, SourceMessengerOptin
		}
	}
	return Ignore, ""
}

// HandlePreference applies a platform preference change (Inbound.Preference) as the
// mapping says. changed reports whether a decision was recorded. No reply is sent: the
// customer acted in the platform's settings, and the 24-hour window may be closed.
func (l *Ledger) HandlePreference(ctx context.Context, key channel.Key, p *channel.Preference, at time.Time) (changed bool, err error) {
	if p == nil {
		return false, nil
	}
	m := DefaultPreferenceMapping()
	if l.Preferences != nil {
		m = *l.Preferences
	}
	a, source := m.action(p)
	var state State
	switch a {
	case Deny:
		state = Denied
	case Grant:
		state = Granted
	default:
		return false, nil
	}
	_, changed, err = l.Decide(ctx, Decision{Subject: l.Subjects.Key(key), State: state, Source: source,
		Actor: ActorCustomer, Surface: key.Surface, At: at, Keys: []channel.Key{key}})
	return changed, err
}

// Erase deletes everything held for each subject: the bot's messages about it in Slack (with
// Slack set; first, while the erasure index exists), its knowledge-base suggestions, then the
// store's items (consent record, history, conversation links, conversations, the Slack index),
// and then records a denial with the source: an erased
// subject must not fall back to the opt-out regime's "shared" and start feeding ads again on
// the next ad click. The denial holds only the subject id, the state and the source.
func (l *Ledger) Erase(ctx context.Context, source string, subjects ...string) error {
	return l.EraseAs(ctx, source, ActorMeta, subjects...)
}

// EraseAs is Erase with the actor recorded on the denial (the privacy page's caller).
func (l *Ledger) EraseAs(ctx context.Context, source, actor string, subjects ...string) error {
	const op = "consent.Erase"
	for _, s := range subjects {
		if !ValidSubjectID(s) {
			return apperr.E(op, apperr.Invalid, "subject id is malformed")
		}
		for _, sub := range []string{s, l.Subjects.FollowUpSubject(s)} {
			if l.Slack != nil {
				if err := l.Slack.Erase(ctx, sub); err != nil {
					return apperr.Wrap(op, apperr.Other, err, "")
				}
			}
			if l.Suggestions != nil {
				if err := l.Suggestions.EraseSubjectSuggestions(ctx, sub); err != nil {
					return apperr.Wrap(op, apperr.Other, err, "")
				}
			}
		}
		if err := l.Store.EraseSubject(ctx, s); err != nil {
			return apperr.Wrap(op, apperr.Other, err, "")
		}
		if err := l.Store.EraseSubject(ctx, l.Subjects.FollowUpSubject(s)); err != nil {
			return apperr.Wrap(op, apperr.Other, err, "")
		}
		if _, _, err := l.Decide(ctx, Decision{Subject: s, State: Denied, Source: source, Actor: actor}); err != nil {
			return apperr.Wrap(op, apperr.Other, err, "")
		}
	}
	return nil
}

// DeletionCode derives the confirmation code of a deletion request: 16 characters a-z, 2-7,
// keyed by the pepper, so a retried callback gets the same code and a code reveals nothing.
func (l *Ledger) DeletionCode(userID string, issuedAt time.Time) string {
	m := hmac.New(sha256.New, l.Subjects.Pepper)
	m.Write([]byte("data-deletion\x00" + userID + "\x00" + strconv.FormatInt(issuedAt.Unix(), 10)))
	return subjectEncoding.EncodeToString(m.Sum(nil)[:10])
}

// ValidDeletionCode reports whether s has the form of a confirmation code.
func ValidDeletionCode(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// RequestDeletion carries out a data deletion request for Meta's user id. Meta sends an
// app-scoped user id (Facebook Login), which is not a wa_id, PSID or IGSID; frontdesk erases the
// subjects that id would have on every surface, which matches when the app's users are known
// by the same id and erases nothing else. It records a pending tombstone first, erases, then
// marks it done; a repeated request with the same code returns the finished tombstone.
func (l *Ledger) RequestDeletion(ctx context.Context, userID string, issuedAt time.Time) (*Deletion, error) {
	const op = "consent.RequestDeletion"
	if userID == "" {
		return nil, apperr.E(op, apperr.Invalid, "user id is empty")
	}
	code := l.DeletionCode(userID, issuedAt)
	d, err := l.Store.GetDeletion(ctx, code)
	switch {
	case err == nil && d.Status == DeletionDone:
		return d, nil
	case err != nil && !apperr.Is(err, apperr.NotFound):
		return nil, apperr.Wrap(op, apperr.Other, err, "")
	}
	now := l.now()
	d = &Deletion{Code: code, Status: DeletionPending, RequestedAt: now, ExpiresAt: now.Add(DeletionRetention)}
	for _, s := range channel.Surfaces {
		d.Subjects = append(d.Subjects, l.Subjects.ID(s, userID))
	}
	if err := l.Store.PutDeletion(ctx, d); err != nil {
		return nil, apperr.Wrap(op, apperr.Other, err, "")
	}
	if err := l.Erase(ctx, SourceDataDeletion, d.Subjects...); err != nil {
		return d, err
	}
	d.Status, d.CompletedAt = DeletionDone, l.now()
	if err := l.Store.PutDeletion(ctx, d); err != nil {
		return d, apperr.Wrap(op, apperr.Other, err, "")
	}
	return d, nil
}

// Deletion returns the tombstone with the code, or NotFound.
func (l *Ledger) Deletion(ctx context.Context, code string) (*Deletion, error) {
	if !ValidDeletionCode(code) {
		return nil, apperr.E("consent.Deletion", apperr.NotFound, "unknown confirmation code")
	}
	return l.Store.GetDeletion(ctx, code)
}

// History returns the subject's history, oldest first.
func (l *Ledger) History(ctx context.Context, subject string) ([]Change, error) {
	return l.Store.ConsentHistory(ctx, subject)
}
