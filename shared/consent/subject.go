package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"log/slog"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// SubjectPrefix starts every subject id.
const SubjectPrefix = "sub_"

// MinPepperLen is the shortest pepper Subjects accepts.
const MinPepperLen = 16

// subjectBytes is how much of the HMAC a subject id keeps: 160 bits.
const subjectBytes = 20

var subjectEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// subjectLen is the length of a subject id, prefix included.
var subjectLen = len(SubjectPrefix) + subjectEncoding.EncodedLen(subjectBytes)

// Subjects turns a surface and a platform user id into a subject id: "sub_" followed by the
// lower-case base32 of the first 160 bits of HMAC-SHA256(pepper, surface + NUL + user). The same
// person on two surfaces (a wa_id and a PSID) is two subjects; the same WhatsApp number talking
// to two business numbers is one.
//
// The pepper is a secret (SUBJECT_PEPPER): without it a subject id cannot be tied back to a phone
// number by hashing candidate numbers. Changing it orphans every stored consent record.
type Subjects struct {
	Pepper []byte
}

// NewSubjects returns Subjects with the pepper, which must be at least MinPepperLen bytes.
func NewSubjects(pepper []byte) (Subjects, error) {
	if len(pepper) < MinPepperLen {
		return Subjects{}, apperr.E("consent.NewSubjects", apperr.Invalid, "subject pepper must be at least 16 bytes")
	}
	return Subjects{Pepper: pepper}, nil
}

// ID returns the subject id of a user on a surface. WhatsApp ids are normalised first (see
// NormalizeUser), so "+49 170 1234567" and "491701234567" are the same subject.
func (s Subjects) ID(surface channel.Surface, user string) string {
	if surface == channel.WhatsApp {
		user = stripPhone(user)
	}
	m := hmac.New(sha256.New, s.Pepper)
	m.Write([]byte(surface))
	m.Write([]byte{0})
	m.Write([]byte(user))
	return SubjectPrefix + subjectEncoding.EncodeToString(m.Sum(nil)[:subjectBytes])
}

// Key returns the subject id of a conversation's customer.
func (s Subjects) Key(k channel.Key) string { return s.ID(k.Surface, k.User) }

// SubjectRef is a parsed subject reference: either a subject id, or a surface and user id.
type SubjectRef struct {
	// ID is set when the reference was a subject id.
	ID      string
	Surface channel.Surface
	User    string
}

// LogValue implements slog.LogValuer: the user id is left out.
func (r SubjectRef) LogValue() slog.Value {
	if r.ID != "" {
		return slog.StringValue(r.ID)
	}
	return slog.StringValue(string(r.Surface) + ":***")
}

// Resolve returns the subject id the reference names.
func (s Subjects) Resolve(r SubjectRef) string {
	if r.ID != "" {
		return r.ID
	}
	return s.ID(r.Surface, r.User)
}

// maxSubjectRef bounds a subject reference.
const maxSubjectRef = 128

// ParseSubject parses a subject as the privacy page names it: a subject id ("sub_…") or
// "<surface>:<user id>", e.g. "whatsapp:491701234567" or "messenger:6123456789012345". User ids
// are digits; WhatsApp numbers may carry "+", spaces, dashes and dots, which are removed.
// Errors are apperr.Invalid with a message safe to show.
func ParseSubject(s string) (SubjectRef, error) {
	const op = "consent.ParseSubject"
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return SubjectRef{}, apperr.E(op, apperr.Invalid, "subject is empty")
	case len(s) > maxSubjectRef:
		return SubjectRef{}, apperr.E(op, apperr.Invalid, "subject is too long")
	case strings.HasPrefix(s, SubjectPrefix):
		if !ValidSubjectID(s) {
			return SubjectRef{}, apperr.E(op, apperr.Invalid, "subject id is malformed: want sub_ followed by 32 characters a-z, 2-7")
		}
		return SubjectRef{ID: s}, nil
	}
	name, user, ok := strings.Cut(s, ":")
	if !ok {
		return SubjectRef{}, apperr.E(op, apperr.Invalid, "subject must be a subject id (sub_…) or <surface>:<user id>")
	}
	surface := channel.Surface(strings.ToLower(strings.TrimSpace(name)))
	if !surface.Valid() {
		return SubjectRef{}, apperr.E(op, apperr.Invalid, "unknown surface: want whatsapp, messenger, instagram or comment")
	}
	user, err := NormalizeUser(surface, user)
	if err != nil {
		return SubjectRef{}, err
	}
	return SubjectRef{Surface: surface, User: user}, nil
}

// ValidSubjectID reports whether s has the form of a subject id.
func ValidSubjectID(s string) bool {
	if len(s) != subjectLen || !strings.HasPrefix(s, SubjectPrefix) {
		return false
	}
	for _, c := range s[len(SubjectPrefix):] {
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// NormalizeUser validates a user id of the surface and returns its canonical form: WhatsApp
// numbers lose "+", spaces, dashes, dots and parentheses and must then be 7 to 15 digits without
// a leading 0 (E.164 with country code);
// other ids must be 1 to 64 digits.
func NormalizeUser(surface channel.Surface, user string) (string, error) {
	const op = "consent.NormalizeUser"
	user = strings.TrimSpace(user)
	if surface == channel.WhatsApp {
		user = stripPhone(user)
	}
	if user == "" {
		return "", apperr.E(op, apperr.Invalid, "user id is empty")
	}
	for _, c := range user {
		if c < '0' || c > '9' {
			if surface == channel.WhatsApp {
				return "", apperr.E(op, apperr.Invalid, "whatsapp user id must be a phone number in international format (digits only)")
			}
			return "", apperr.E(op, apperr.Invalid, "user id must be digits only")
		}
	}
	if surface == channel.WhatsApp && user[0] == '0' {
		return "", apperr.E(op, apperr.Invalid, "whatsapp user id must be in international format with country code, without leading 0 or 00")
	}
	if surface == channel.WhatsApp && (len(user) < 7 || len(user) > 15) {
		return "", apperr.E(op, apperr.Invalid, "whatsapp user id must have 7 to 15 digits")
	}
	if len(user) > 64 {
		return "", apperr.E(op, apperr.Invalid, "user id is too long")
	}
	return user, nil
}

// stripPhone drops the characters people write in phone numbers.
func stripPhone(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '+', ' ', '-', '.', '(', ')', '/', '\u00a0':
			return -1
		}
		return r
	}, s)
}
