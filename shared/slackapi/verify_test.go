package slackapi

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

var (
	testSecret = []byte("local-slack-secret")
	testNow    = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
)

// slackDocExample is the worked example of Slack's "Verifying requests from Slack" page.
const (
	slackDocSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	slackDocTimestamp = "1531420618"
	slackDocBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	slackDocSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type":"url_verification","challenge":"abc"}`)
	signed := func(at time.Time) http.Header { return SignedHeader(testSecret, at, body) }
	with := func(h http.Header, key, value string) http.Header {
		h = h.Clone()
		if value == "" {
			h.Del(key)
		} else {
			h.Set(key, value)
		}
		return h
	}
	docNow := time.Unix(1531420618, 0).Add(30 * time.Second)
	docHeader := http.Header{}
	docHeader.Set(HeaderTimestamp, slackDocTimestamp)
	docHeader.Set(HeaderSignature, slackDocSignature)

	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		secret  []byte
		now     time.Time
		want    apperr.Kind // Other: no error
		wantMsg string
	}{
		{name: "good", header: signed(testNow), body: body, now: testNow},
		{name: "slack docs example", header: docHeader, body: []byte(slackDocBody), secret: []byte(slackDocSecret), now: docNow},
		{name: "4m59s old", header: signed(testNow.Add(-299 * time.Second)), body: body, now: testNow},
		{name: "exactly 5 min old", header: signed(testNow.Add(-5 * time.Minute)), body: body, now: testNow},
		{name: "4 min in the future", header: signed(testNow.Add(4 * time.Minute)), body: body, now: testNow},
		{name: "stale 6 min", header: signed(testNow.Add(-6 * time.Minute)), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "stale"},
		{name: "future 6 min", header: signed(testNow.Add(6 * time.Minute)), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "stale"},
		{name: "stale 5m01s", header: signed(testNow.Add(-301 * time.Second)), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "stale"},
		{name: "tampered body", header: signed(testNow), body: []byte(`{"type":"url_verification","challenge":"abd"}`), now: testNow, want: apperr.Unauthorized, wantMsg: "bad signature"},
		{name: "wrong secret", header: signed(testNow), body: body, secret: []byte("other"), now: testNow, want: apperr.Unauthorized, wantMsg: "bad signature"},
		{name: "timestamp swapped", header: with(signed(testNow), HeaderTimestamp, strconv.FormatInt(testNow.Unix()-1, 10)), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "bad signature"},
		{name: "missing signature", header: with(signed(testNow), HeaderSignature, ""), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "missing X-Slack-Signature"},
		{name: "missing timestamp", header: with(signed(testNow), HeaderTimestamp, ""), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "missing X-Slack-Request-Timestamp"},
		{name: "no headers", header: http.Header{}, body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "missing"},
		{name: "malformed timestamp", header: with(signed(testNow), HeaderTimestamp, "12ab"), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "malformed"},
		{name: "huge timestamp", header: with(signed(testNow), HeaderTimestamp, "9223372036854775807"), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "stale"},
		{name: "v1 prefix", header: with(signed(testNow), HeaderSignature, "v1="+strings.TrimPrefix(Sign(testSecret, testNow, body), "v0=")), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "bad signature"},
		{name: "not hex", header: with(signed(testNow), HeaderSignature, "v0=zz"), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "bad signature"},
		{name: "short mac", header: with(signed(testNow), HeaderSignature, Sign(testSecret, testNow, body)[:40]), body: body, now: testNow, want: apperr.Unauthorized, wantMsg: "bad signature"},
		{name: "no secret configured", header: signed(testNow), body: body, secret: []byte{}, now: testNow, want: apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secret := tt.secret
			if secret == nil {
				secret = testSecret
			}
			err := Verify(tt.header, tt.body, secret, tt.now)
			if tt.want == apperr.Other {
				if err != nil {
					t.Fatalf("Verify() = %v, want nil", err)
				}
				return
			}
			if got := apperr.KindOf(err); got != tt.want {
				t.Fatalf("Verify() kind = %v (%v), want %v", got, err, tt.want)
			}
			if !strings.Contains(apperr.Message(err), tt.wantMsg) {
				t.Errorf("Verify() message = %q, want it to contain %q", apperr.Message(err), tt.wantMsg)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(strconv.FormatInt(testNow.Unix(), 10), Sign(testSecret, testNow, []byte("a=b")), []byte("a=b"))
	f.Add(slackDocTimestamp, slackDocSignature, []byte(slackDocBody))
	f.Add("", "", []byte{})
	f.Add("-1", "v0=", []byte("{}"))
	f.Fuzz(func(t *testing.T, stamp, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderTimestamp, stamp)
		h.Set(HeaderSignature, sig)
		err := Verify(h, body, testSecret, testNow)
		if err == nil {
			// Only a correct signature over a fresh timestamp passes.
			secs, perr := strconv.ParseInt(stamp, 10, 64)
			if perr != nil {
				t.Fatalf("accepted unparsable timestamp %q", stamp)
			}
			if sig != Sign(testSecret, time.Unix(secs, 0), body) {
				t.Fatalf("accepted signature %q that Sign does not produce", sig)
			}
			if d := testNow.Sub(time.Unix(secs, 0)); d > MaxSkew || d < -MaxSkew {
				t.Fatalf("accepted timestamp %d, %v from now", secs, d)
			}
			return
		}
		if k := apperr.KindOf(err); k != apperr.Unauthorized {
			t.Fatalf("kind = %v, want unauthorized", k)
		}
	})
}
