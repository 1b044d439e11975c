package consent

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

// SignedRequest is the verified payload of Meta's data deletion callback.
type SignedRequest struct {
	Algorithm string
	// UserID is the app-scoped user id. It is personal data: never log it.
	UserID   string
	IssuedAt time.Time
	// Expires is zero when the payload has no expiry (Meta sends 0 or leaves it out).
	Expires time.Time
}

// LogValue implements slog.LogValuer: the user id is left out.
func (r *SignedRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.Time("issuedAt", r.IssuedAt))
}

// MaxSignedRequestAge is the oldest issued_at accepted. Meta posts the callback when the user
// asks and retries for a short while; a signed_request older than this is a replay (a captured
// request without expires would otherwise re-run an erasure years later).
const MaxSignedRequestAge = 24 * time.Hour

// maxClockSkew is how far in the future an issued_at may lie (clocks differ).
const maxClockSkew = 5 * time.Minute

// maxSignedRequest bounds the form field: Meta's are a few hundred bytes.
const maxSignedRequest = 8 << 10

// signedPayload is the JSON Meta signs. user_id is a string in Meta's samples; a number is
// accepted too.
type signedPayload struct {
	Algorithm string          `json:"algorithm"`
	Expires   json.Number     `json:"expires"`
	IssuedAt  json.Number     `json:"issued_at"`
	UserID    json.RawMessage `json:"user_id"`
}

// ParseSignedRequest verifies and decodes a signed_request: "<signature>.<payload>", both
// base64url (padding tolerated). The signature must be the HMAC-SHA256 of the encoded payload
// string keyed with the app secret, compared in constant time, and the payload's algorithm must
// be HMAC-SHA256. The payload must carry issued_at, at most MaxSignedRequestAge before now
// (and not more than a few minutes after it); expires is optional (absent or 0: none), and a
// payload whose expires lies before now is rejected. The signature is checked before the
// payload is parsed. Errors are apperr.Unauthorized (bad signature, expired, too old, no
// issued_at) or apperr.Invalid (malformed), with messages safe to show.
func ParseSignedRequest(s string, appSecret []byte, now time.Time) (*SignedRequest, error) {
	const op = "consent.ParseSignedRequest"
	if len(appSecret) == 0 {
		return nil, apperr.E(op, apperr.Internal, "app secret is not configured")
	}
	if s == "" {
		return nil, apperr.E(op, apperr.Invalid, "signed_request is missing")
	}
	if len(s) > maxSignedRequest {
		return nil, apperr.E(op, apperr.Invalid, "signed_request is too long")
	}
	encSig, encPayload, ok := strings.Cut(s, ".")
	if !ok || encSig == "" || encPayload == "" || strings.Contains(encPayload, ".") {
		return nil, apperr.E(op, apperr.Invalid, "signed_request must be <signature>.<payload>")
	}
	sig, err := decodeB64URL(encSig)
	if err != nil {
		return nil, apperr.E(op, apperr.Unauthorized, "signed_request signature is not base64url")
	}
	m := hmac.New(sha256.New, appSecret)
	m.Write([]byte(encPayload))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return nil, apperr.E(op, apperr.Unauthorized, "signed_request signature does not match")
	}
	raw, err := decodeB64URL(encPayload)
	if err != nil {
		return nil, apperr.E(op, apperr.Invalid, "signed_request payload is not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var p signedPayload
	if err := dec.Decode(&p); err != nil {
		return nil, apperr.E(op, apperr.Invalid, "signed_request payload is not a JSON object")
	}
	if !strings.EqualFold(p.Algorithm, "HMAC-SHA256") {
		return nil, apperr.E(op, apperr.Invalid, "signed_request algorithm must be HMAC-SHA256")
	}
	user, ok := userID(p.UserID)
	if !ok {
		return nil, apperr.E(op, apperr.Invalid, "signed_request has no valid user_id")
	}
	r := &SignedRequest{Algorithm: "HMAC-SHA256", UserID: user}
	if r.IssuedAt, ok = unixTime(p.IssuedAt); !ok {
		return nil, apperr.E(op, apperr.Invalid, "signed_request issued_at is not a unix time")
	}
	if r.Expires, ok = unixTime(p.Expires); !ok {
		return nil, apperr.E(op, apperr.Invalid, "signed_request expires is not a unix time")
	}
	switch {
	case !r.Expires.IsZero() && r.Expires.Before(now):
		return nil, apperr.E(op, apperr.Unauthorized, "signed_request has expired")
	case r.IssuedAt.IsZero():
		// Without issued_at its age cannot be told: a captured request could be replayed forever.
		return nil, apperr.E(op, apperr.Unauthorized, "signed_request has no issued_at")
	case now.Sub(r.IssuedAt) > MaxSignedRequestAge:
		return nil, apperr.E(op, apperr.Unauthorized, "signed_request was issued more than a day ago")
	case r.IssuedAt.Sub(now) > maxClockSkew:
		return nil, apperr.E(op, apperr.Unauthorized, "signed_request is issued in the future")
	}
	return r, nil
}

// decodeB64URL decodes base64url with or without padding (a community report says Meta's
// signature sometimes carries "="). It is strict: a last character with stray low bits is
// refused, so one signature has one spelling (no malleable variants of a signed request).
func decodeB64URL(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	// encoding/base64 skips '\r' and '\n' even in strict mode: refuse anything outside the
	// base64url alphabet first.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, errors.New("not base64url")
		}
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// userID accepts a JSON string or number of 1 to 64 digits.
func userID(raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", false
		}
		s = n.String()
	}
	if s == "" || len(s) > 64 {
		return "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return s, true
}

// unixTime parses a unix time in seconds; empty and 0 are the zero time.
func unixTime(n json.Number) (time.Time, bool) {
	if n == "" {
		return time.Time{}, true
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || v < 0 || v > 1<<40 {
		return time.Time{}, false
	}
	if v == 0 {
		return time.Time{}, true
	}
	return time.Unix(v, 0).UTC(), true
}

// SignRequest builds a signed_request as Meta does, for tests and the local tools.
func SignRequest(payload any, appSecret []byte) (string, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, appSecret)
	m.Write([]byte(enc))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)) + "." + enc, nil
}
