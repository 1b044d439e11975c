package consent

import (
	"context"
	"log/slog"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// State is a subject's ad-signal consent.
type State string

// States.
const (
	Granted State = "granted" // events may be sent to Meta
	Denied  State = "denied"  // no event is sent, stored click ids are erased
)

// Valid reports whether s is Granted or Denied.
func (s State) Valid() bool { return s == Granted || s == Denied }

// Regime decides the state of a subject that has never decided.
type Regime string

// Regimes.
const (
	// OptOut shares unless the subject refused (the default).
	OptOut Regime = "opt-out"
	// OptIn shares nothing until the subject agreed.
	OptIn Regime = "opt-in"
)

// Valid reports whether r is a known regime.
func (r Regime) Valid() bool { return r == OptOut || r == OptIn }

// Default is the state of a subject without a record.
func (r Regime) Default() State {
	if r == OptIn {
		return Denied
	}
	return Granted
}

// Sources of a decision.
const (
	SourceChat           = "chat"                      // a keyword in the chat
	SourceAPI            = "api"                       // the business's privacy page, POST /consent
	SourceWhatsAppPrefs  = "whatsapp_user_preferences" // WhatsApp marketing stop/resume
	SourceMessengerOptin = "messenger_optin"           // Messenger notification messages stop/resume
	SourceDataDeletion   = "data_deletion"             // Meta's data deletion callback
)

// Record is a subject's current consent. It holds no user id, only the subject id.
type Record struct {
	Subject string `json:"subject"`
	State   State  `json:"state"`
	// Source says where the decision came from (Source* constants); Actor who made it: "customer"
	// for chat and platform preferences, the caller's actor for the API, "meta" for a deletion.
	Source  string          `json:"source"`
	Actor   string          `json:"actor"`
	At      time.Time       `json:"at"`
	Surface channel.Surface `json:"surface,omitempty"`
	// Target is the subject a permission for a purpose points to: for the WhatsApp follow-up
	// (see FollowUpSubject), the subject id of the WhatsApp number given. Empty otherwise.
	Target string `json:"target,omitempty"`

	UpdatedAt time.Time `json:"updatedAt"`
	// Version is the optimistic-locking counter: 0 for a record not yet stored.
	Version int64 `json:"version"`
}

// LogValue implements slog.LogValuer. The subject id is pseudonymous and may be logged.
func (r *Record) LogValue() slog.Value {
	return slog.GroupValue(slog.String("subject", r.Subject), slog.String("state", string(r.State)),
		slog.String("source", r.Source))
}

// Change is one entry of a subject's consent history.
type Change struct {
	Subject string          `json:"subject"`
	State   State           `json:"state"`
	Source  string          `json:"source"`
	Actor   string          `json:"actor"`
	At      time.Time       `json:"at"`
	Surface channel.Surface `json:"surface,omitempty"`
	// Target is Record.Target as of this change.
	Target string `json:"target,omitempty"`
	// Version is the record version this change produced; with At it keys the history item
	// (SUBJECT#<id> / CONSENT#<At, fixed-width RFC 3339>#<Version>), so two changes within one
	// second (WhatsApp timestamps are whole seconds) never collide.
	Version int64 `json:"version"`
	// ExpiresAt is when the entry is dropped (history retention, default three years).
	ExpiresAt time.Time `json:"expiresAt"`
}

// DeletionStatus is where a data deletion request stands.
type DeletionStatus string

// Deletion statuses.
const (
	DeletionPending DeletionStatus = "pending"
	DeletionDone    DeletionStatus = "done"
)

// DeletionRetention is how long a deletion tombstone (code, status, subject ids) is kept so the
// person can check the status.
const DeletionRetention = 90 * 24 * time.Hour

// Deletion is the tombstone of a data deletion request: it holds the subject ids erased, never
// the user id Meta sent.
type Deletion struct {
	Code        string         `json:"code"`
	Subjects    []string       `json:"subjects"`
	Status      DeletionStatus `json:"status"`
	RequestedAt time.Time      `json:"requestedAt"`
	CompletedAt time.Time      `json:"completedAt,omitzero"`
	ExpiresAt   time.Time      `json:"expiresAt"`
}

// Store persists consent records, their history, the link from a subject to its conversations
// and deletion tombstones.
//
// Errors are *apperr.Error: NotFound when an item does not exist or has expired, Conflict when a
// conditional write loses, Transient when the backend throttles or is unavailable. Every read
// treats an item whose ExpiresAt has passed as absent.
type Store interface {
	// GetConsent returns the subject's current record, or NotFound.
	GetConsent(ctx context.Context, subject string) (*Record, error)
	// PutConsent writes rec and appends change to the history in one atomic step (DynamoDB:
	// TransactWriteItems), if rec.Version still matches the stored version (0: must not exist
	// yet) and no history entry with change's At and Version exists. On success it increments
	// rec.Version; otherwise it returns Conflict and writes nothing. change.Version must be
	// rec.Version + 1.
	PutConsent(ctx context.Context, rec *Record, change Change) error
	// ConsentHistory returns the subject's live history entries ordered by At, then Version
	// (empty, not NotFound, when there are none).
	ConsentHistory(ctx context.Context, subject string) ([]Change, error)

	// LinkConversation records that the conversation key belongs to the subject, until
	// expiresAt (the conversation's own expiry). Writing an existing link moves its expiry.
	LinkConversation(ctx context.Context, subject string, key channel.Key, expiresAt time.Time) error
	// SubjectConversations returns the keys of the subject's live links.
	SubjectConversations(ctx context.Context, subject string) ([]channel.Key, error)

	// EraseSubject deletes everything held for the subject: the current record, its history,
	// its conversation links and the linked conversations, its Slack thread indexes. Erasing an unknown subject is not an
	// error.
	EraseSubject(ctx context.Context, subject string) error

	// PutDeletion creates or replaces a deletion tombstone.
	PutDeletion(ctx context.Context, d *Deletion) error
	// GetDeletion returns the tombstone with the code, or NotFound.
	GetDeletion(ctx context.Context, code string) (*Deletion, error)

	// ThreadStore keeps the erasure index of the subject's Slack threads (SUBJECT#<id> items,
	// deleted by EraseSubject).
	ThreadStore
}
