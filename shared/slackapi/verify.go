package slackapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

// Slack's signing headers.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// MaxSkew is how far a request's timestamp may be from now, either way, before it is refused as
// a possible replay. Slack's own SDKs use five minutes.
const MaxSkew = 5 * time.Minute

// Verify checks Slack's v0 signature of a request: X-Slack-Signature must be "v0=" followed by
// the hex HMAC-SHA256, keyed with the signing secret, of "v0:<X-Slack-Request-Timestamp>:<body>",
// and the timestamp must be within MaxSkew of now (past or future).
//
// body must be the raw request body exactly as received: form-encoded interactivity and
// slash-command bodies are signed as sent, so never re-encode before verifying.
//
// It returns an *apperr.Error of kind Unauthorized naming what is wrong (missing header,
// malformed or stale timestamp, bad signature), or Internal when secret is empty. Verify does not
// deduplicate: a captured request verifies again within the window, so callers deduplicate by
// event_id.
//
// It is slack-go's SecretsVerifier with the clock passed in (slack.NewSecretsVerifier calls
// time.Since, which makes stored fixtures and tests depend on the wall clock).
func Verify(header http.Header, body []byte, secret []byte, now time.Time) error {
	const op apperr.Op = "slackapi.Verify"
	if len(secret) == 0 {
		return apperr.E(op, apperr.Internal, "no Slack signing secret configured")
	}
	sig := header.Get(HeaderSignature)
	if sig == "" {
		return apperr.E(op, apperr.Unauthorized, "missing "+HeaderSignature+" header")
	}
	stamp := header.Get(HeaderTimestamp)
	if stamp == "" {
		return apperr.E(op, apperr.Unauthorized, "missing "+HeaderTimestamp+" header")
	}
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil || secs <= 0 {
		return apperr.E(op, apperr.Unauthorized, "malformed "+HeaderTimestamp+" header")
	}
	// Compare in seconds so huge values cannot overflow a time.Duration.
	if skew := now.Unix() - secs; skew > int64(MaxSkew/time.Second) || skew < -int64(MaxSkew/time.Second) {
		return apperr.E(op, apperr.Unauthorized, "stale request timestamp (more than 5 minutes from now)")
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return apperr.E(op, apperr.Unauthorized, "bad signature: want v0=<hex>")
	}
	if strings.ToLower(hexSig) != hexSig {
		// Slack sends lowercase hex; one signature has one spelling.
		return apperr.E(op, apperr.Unauthorized, "bad signature: want v0=<lowercase hex>")
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return apperr.E(op, apperr.Unauthorized, "bad signature: want v0=<hex>")
	}
	if !hmac.Equal(got, mac(secret, stamp, body)) {
		return apperr.E(op, apperr.Unauthorized, "bad signature")
	}
	return nil
}

// Sign returns the X-Slack-Signature value Slack would send for body at timestamp ts. It is what
// tests, fixtures and local tools use to produce requests that Verify accepts.
func Sign(secret []byte, ts time.Time, body []byte) string {
	return "v0=" + hex.EncodeToString(mac(secret, strconv.FormatInt(ts.Unix(), 10), body))
}

// SignedHeader returns the two signing headers for body at timestamp ts.
func SignedHeader(secret []byte, ts time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(secret, ts, body))
	return h
}

func mac(secret []byte, stamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("v0:" + stamp + ":"))
	m.Write(body)
	return m.Sum(nil)
}
