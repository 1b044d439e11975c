// Package learn turns what agents answer into knowledge-base candidates and keeps the weekly
// counts of what the bot misses.
//
// A Suggestion is an agent's decision, in the escalation thread, that the customer's question
// (masked) is a new phrasing of an existing entry, or a new entry whose answer is the agent's
// reply. Suggestions are stored with their own retention, erased with the customer's subject,
// listed by "frontdesk faq suggestions" as a YAML patch the shop reviews and merges into its
// knowledge base, and removed once the knowledge base holds them (accepted).
//
// Where the question comes from: frontdesk keeps no message text, yet the offer comes after the
// agent answered, when the message that escalated is long gone from the queue. So at escalation
// the bot keeps one Candidate per thread: the customer's question, masked as the thread shows
// it, with its language and the bot's best guess of an entry, for CandidateLife (7 days, the
// longest an agent can still answer on any surface), erased with the subject. The alternative,
// carrying the question in the Slack message's button value, would need the bot to read the
// thread back (conversations.replies) to make the offer after an answer, and would not work
// for a reply in the agent's own words. The agent's reply, for a new entry, rides in the "New
// entry" button's value: it is already in the thread and is stored only when pressed.
package learn

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

// DefaultRetention is how long a suggestion waits for the shop's review: a quarter, long enough
// for a shop that reviews its knowledge base once a month to see it twice.
const DefaultRetention = 90 * 24 * time.Hour

// TallyRetention is how long a week's counts are kept: five weeks, so the digest of a week can
// be posted (and posted late) after it ended, and no more.
const TallyRetention = 35 * 24 * time.Hour

// CandidateLife is how long the masked question of an escalation is kept for "Add to FAQ": an
// agent can answer a Messenger or Instagram customer for up to 7 days (HUMAN_AGENT tag), and
// an answer later than that teaches nothing new.
const CandidateLife = 7 * 24 * time.Hour

// Candidate is the masked question that escalated, kept for CandidateLife so the thread can
// offer "Add to FAQ" after an agent answered.
type Candidate struct {
	Subject  string `json:"subject"`
	Channel  string `json:"channel"`
	ThreadTS string `json:"threadTs"`
	// Question is the customer's message, masked, at most MaxQuestion characters.
	Question string `json:"question"`
	Lang     string `json:"lang"`
	// Entry is the bot's best guess (its top suggestion), preselected in the offer; may be "".
	Entry     string    `json:"entry,omitempty"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// ValidateCandidate checks a candidate as every Store does before writing it.
func ValidateCandidate(op apperr.Op, c *Candidate) error {
	switch {
	case c == nil:
		return apperr.E(op, apperr.Invalid, "no candidate")
	case c.Subject == "" || c.Channel == "" || c.ThreadTS == "":
		return apperr.E(op, apperr.Invalid, "candidate needs a subject and a thread")
	case c.Question == "" || len([]rune(c.Question)) > MaxQuestion:
		return apperr.E(op, apperr.Invalid, "candidate question must be 1 to 500 characters")
	case c.Entry != "" && !ValidEntryID(c.Entry):
		return apperr.E(op, apperr.Invalid, "candidate entry id is malformed")
	case !langRE.MatchString(c.Lang):
		return apperr.E(op, apperr.Invalid, "candidate language must be two lower-case letters")
	case c.ExpiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "candidate expiry is required")
	}
	return nil
}

// Limits of a suggestion's texts: a question longer than a phrasing should be is cut by the
// desk, an answer is a knowledge-base answer (Messenger's 2000 characters).
const (
	MaxQuestion = 500
	MaxAnswer   = 2000
)

// Suggestion is one knowledge-base candidate made by an agent.
type Suggestion struct {
	// ID is derived from the agent's action (see ID), so a retried action writes it once.
	ID string `json:"id"`
	// Question is the customer's question, masked (no phone numbers, e-mail addresses).
	Question string `json:"question"`
	// Entry is the existing entry the question is a new phrasing of; empty for a new entry.
	Entry string `json:"entry,omitempty"`
	// NewAnswer is the agent's reply, masked, proposed as the answer of a new entry.
	NewAnswer string `json:"new_answer,omitempty"`
	// Lang is the question's language ("de", "en").
	Lang string `json:"lang"`
	// Agent is the Slack user id of the agent who made it.
	Agent string `json:"agent"`
	// Subject is the customer's subject id: an erasure of the subject deletes the suggestion.
	Subject   string    `json:"subject"`
	At        time.Time `json:"at"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// LogValue implements slog.LogValuer: never the texts.
func (s *Suggestion) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", s.ID), slog.String("entry", s.Entry), slog.String("lang", s.Lang),
		slog.Bool("new_entry", s.Entry == ""))
}

// ID derives a suggestion's id from the id of the agent action that made it.
func ID(actionID string) string {
	sum := sha256.Sum256([]byte("suggestion\x00" + actionID))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

var (
	idRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	entryRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,199}$`)
	langRE  = regexp.MustCompile(`^[a-z]{2}$`)
)

// ValidEntryID reports whether s has the form of a knowledge-base entry id.
func ValidEntryID(s string) bool { return entryRE.MatchString(s) }

// Validate checks a suggestion as every Store does before writing it; errors are
// apperr.Invalid under op.
func Validate(op apperr.Op, s *Suggestion) error {
	switch {
	case s == nil:
		return apperr.E(op, apperr.Invalid, "no suggestion")
	case !idRE.MatchString(s.ID):
		return apperr.E(op, apperr.Invalid, "suggestion id is malformed")
	case s.Question == "" || len([]rune(s.Question)) > MaxQuestion:
		return apperr.E(op, apperr.Invalid, "suggestion question must be 1 to 500 characters")
	case s.Entry != "" && !ValidEntryID(s.Entry):
		return apperr.E(op, apperr.Invalid, "suggestion entry id is malformed")
	case s.Entry == "" && s.NewAnswer == "":
		return apperr.E(op, apperr.Invalid, "a suggestion names an entry or proposes an answer")
	case len([]rune(s.NewAnswer)) > MaxAnswer:
		return apperr.E(op, apperr.Invalid, "suggested answer is longer than 2000 characters")
	case !langRE.MatchString(s.Lang):
		return apperr.E(op, apperr.Invalid, "suggestion language must be two lower-case letters")
	case s.Subject == "" || s.Agent == "":
		return apperr.E(op, apperr.Invalid, "suggestion needs a subject and an agent")
	case s.At.IsZero() || s.ExpiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "suggestion time and expiry are required")
	}
	return nil
}

// Week names the ISO week of t, the period of the digest's counts: "2026-W48".
func Week(t time.Time) string {
	y, w := t.UTC().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Counter names. A tally counts escalations by reason and the entries agents chose (a suggested
// answer sent, an entry a question was added to).
const (
	prefixReason = "reason:"
	prefixEntry  = "entry:"
	// CounterSuggestions counts suggestions made in the period.
	CounterSuggestions = "suggestions"
	// CounterAccepted counts suggestions found in the knowledge base in the period.
	CounterAccepted = "accepted"
)

var reasonRE = regexp.MustCompile(`^[a-z_]{1,40}$`)

// ReasonCounter is the counter of an escalation reason; a reason that is not a short
// identifier (free text) counts as "other".
func ReasonCounter(reason string) string {
	if !reasonRE.MatchString(reason) {
		reason = "other"
	}
	return prefixReason + reason
}

// EntryCounter is the counter of an entry agents chose; "" for an id that is not one.
func EntryCounter(entry string) string {
	if !ValidEntryID(entry) {
		return ""
	}
	return prefixEntry + entry
}

var counterRE = regexp.MustCompile(`^(?:reason:[a-z_]{1,40}|entry:[a-z0-9][a-z0-9_.-]{0,199}|suggestions|accepted)$`)

// ValidCounter reports whether name is one of the counters above.
func ValidCounter(name string) bool { return counterRE.MatchString(name) }

var weekRE = regexp.MustCompile(`^\d{4}-W\d{2}$`)

// ValidWeek reports whether s names a week as Week does.
func ValidWeek(s string) bool { return weekRE.MatchString(s) }

// Store persists suggestions and the weekly counts.
//
// Errors are *apperr.Error: Invalid for bad input, Transient when the backend throttles or is
// unavailable. Every read treats an item whose expiry has passed as absent.
type Store interface {
	// PutSuggestion writes s unless a live suggestion with its id exists (then it is left as
	// it is and created is false): a retried action makes one suggestion.
	PutSuggestion(ctx context.Context, s *Suggestion) (created bool, err error)
	// Suggestions lists the live suggestions, oldest first (then by id).
	Suggestions(ctx context.Context) ([]Suggestion, error)
	// DeleteSuggestion removes a suggestion; an absent one is not an error.
	DeleteSuggestion(ctx context.Context, id string) error
	// EraseSubjectSuggestions deletes every suggestion and candidate of the subject.
	EraseSubjectSuggestions(ctx context.Context, subject string) error

	// PutCandidate writes the thread's candidate, replacing an earlier one (a later escalation
	// in the same thread asks the newer question).
	PutCandidate(ctx context.Context, c *Candidate) error
	// GetCandidate returns the live candidate of the subject's thread, or NotFound.
	GetCandidate(ctx context.Context, subject, channel, threadTS string) (*Candidate, error)

	// AddCount adds n to the counter of the week, creating it; the week's counts expire at
	// expiresAt (set on every write).
	AddCount(ctx context.Context, week, counter string, n int, expiresAt time.Time) error
	// Counts returns the live counts of the week (empty when there are none).
	Counts(ctx context.Context, week string) (map[string]int, error)
}

// ValidateCount checks AddCount's input; errors are apperr.Invalid under op.
func ValidateCount(op apperr.Op, week, counter string, n int, expiresAt time.Time) error {
	switch {
	case !ValidWeek(week):
		return apperr.E(op, apperr.Invalid, "week must look like 2026-W48")
	case !ValidCounter(counter):
		return apperr.E(op, apperr.Invalid, "unknown counter")
	case n <= 0:
		return apperr.E(op, apperr.Invalid, "count must be positive")
	case expiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "count expiry is required")
	}
	return nil
}

// Listed is a suggestion as GET /_local/kb-suggestions lists it and "frontdesk faq suggestions"
// reads it: a contract, so fields are only ever added (id joined the first five). Entry is ""
// for a new entry, NewAnswer "" for a new phrasing.
type Listed struct {
	ID        string    `json:"id"`
	Question  string    `json:"question"`
	Entry     string    `json:"entry"`
	NewAnswer string    `json:"new_answer"`
	Lang      string    `json:"lang"`
	At        time.Time `json:"at"`
}

// List is the listed form of suggestions (never nil, so it encodes as []).
func List(ss []Suggestion) []Listed {
	out := make([]Listed, 0, len(ss))
	for _, s := range ss {
		out = append(out, Listed{ID: s.ID, Question: s.Question, Entry: s.Entry, NewAnswer: s.NewAnswer, Lang: s.Lang, At: s.At})
	}
	return out
}

// Handler serves GET /_local/kb-suggestions of the local stack: the live suggestions as a JSON
// array of Listed, oldest first.
func Handler(s Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss, err := s.Suggestions(r.Context())
		if err != nil {
			apperr.WriteJSON(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(List(ss))
	})
}
