package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/google/go-cmp/cmp"
)

var (
	testAppSecret = []byte("local-app-secret")
	testNow       = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
)

func mustSign(t testing.TB, payload any) string {
	t.Helper()
	s, err := SignRequest(payload, testAppSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseSignedRequest(t *testing.T) {
	t.Parallel()
	issued := testNow.Add(-time.Minute).Unix()
	valid := mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "expires": testNow.Add(time.Hour).Unix(),
		"issued_at": issued, "user_id": "218471"})
	sig, payload, _ := strings.Cut(valid, ".")
	otherPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"algorithm":"HMAC-SHA256","issued_at":1,"user_id":"999"}`))
	tests := []struct {
		name     string
		in       string
		secret   []byte
		want     *SignedRequest
		wantKind apperr.Kind
	}{
		{name: "valid", in: valid, secret: testAppSecret, want: &SignedRequest{Algorithm: "HMAC-SHA256", UserID: "218471",
			IssuedAt: time.Unix(issued, 0).UTC(), Expires: testNow.Add(time.Hour)}},
		{name: "padded signature", in: sig + "=." + payload, secret: testAppSecret, want: &SignedRequest{Algorithm: "HMAC-SHA256",
			UserID: "218471", IssuedAt: time.Unix(issued, 0).UTC(), Expires: testNow.Add(time.Hour)}},
		{name: "numeric user id, no expiry", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": issued, "user_id": 218471}),
			secret: testAppSecret, want: &SignedRequest{Algorithm: "HMAC-SHA256", UserID: "218471", IssuedAt: time.Unix(issued, 0).UTC()}},
		{name: "expires 0 means none", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "expires": 0, "issued_at": issued, "user_id": "1"}),
			secret: testAppSecret, want: &SignedRequest{Algorithm: "HMAC-SHA256", UserID: "1", IssuedAt: time.Unix(issued, 0).UTC()}},
		{name: "wrong secret", in: valid, secret: []byte("another-secret"), wantKind: apperr.Unauthorized},
		{name: "payload swapped", in: sig + "." + otherPayload, secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "payload tampered by one char", in: sig + "." + flip(payload), secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "signature tampered", in: flip(sig) + "." + payload, secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "signature of other length", in: sig[:10] + "." + payload, secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "expired", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "expires": testNow.Add(-time.Second).Unix(), "issued_at": issued, "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "issued a day and a second ago, no expiry", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": testNow.Add(-24*time.Hour - time.Second).Unix(), "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "issued a year ago, expires far ahead", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": testNow.AddDate(-1, 0, 0).Unix(), "expires": testNow.AddDate(5, 0, 0).Unix(), "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "issued a day ago to the second", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": testNow.Add(-24 * time.Hour).Unix(), "user_id": "1"}),
			secret: testAppSecret, want: &SignedRequest{Algorithm: "HMAC-SHA256", UserID: "1", IssuedAt: testNow.Add(-24 * time.Hour)}},
		{name: "no issued_at", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "expires": testNow.Add(time.Hour).Unix(), "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "issued_at 0", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": 0, "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "issued in an hour", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": testNow.Add(time.Hour).Unix(), "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "other algorithm", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA1", "issued_at": issued, "user_id": "1"}),
			secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "no algorithm", in: mustSign(t, map[string]any{"issued_at": issued, "user_id": "1"}), secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "no user", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": issued}), secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "user not digits", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "user_id": "abc"}), secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "payload not JSON", in: mustSignRaw(t, "not json"), secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "issued_at a string", in: mustSign(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": "yesterday", "user_id": "1"}), secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "empty", in: "", secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "no dot", in: sig + payload, secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "three parts", in: valid + ".x", secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "signature not base64", in: "!!!." + payload, secret: testAppSecret, wantKind: apperr.Unauthorized},
		{name: "too long", in: sig + "." + strings.Repeat("A", 9000), secret: testAppSecret, wantKind: apperr.Invalid},
		{name: "no secret configured", in: valid, secret: nil, wantKind: apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSignedRequest(tt.in, tt.secret, testNow)
			if tt.want == nil {
				if got != nil || apperr.KindOf(err) != tt.wantKind {
					t.Fatalf("ParseSignedRequest = %v, %v; want kind %v", got, err, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSignedRequest: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func mustSignRaw(t testing.TB, payload string) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return hmacB64(enc) + "." + enc
}

// hmacB64 is the base64url HMAC-SHA256 of an encoded payload with the test secret.
func hmacB64(enc string) string {
	m := hmac.New(sha256.New, testAppSecret)
	m.Write([]byte(enc))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// flip changes the first character of a base64url string to another valid one.
func flip(s string) string {
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}

// TestParseSignedRequestTestdata checks the captured request in testdata against its secret.
func TestParseSignedRequestTestdata(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/signed_request.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseSignedRequest(strings.TrimSpace(string(b)), testAppSecret, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatalf("ParseSignedRequest: %v", err)
	}
	if got.UserID != "218471" {
		t.Errorf("UserID = %q, want 218471", got.UserID)
	}
}

func FuzzParseSignedRequest(f *testing.F) {
	for _, s := range readSeeds(f, "testdata/signed_request.txt") {
		f.Add(s)
	}
	f.Add("a.b")
	f.Add(".")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseSignedRequest(in, testAppSecret, time.Unix(1700000000, 0))
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Unauthorized {
				t.Fatalf("ParseSignedRequest(%q) err kind %v", in, k)
			}
			return
		}
		if got.UserID == "" || got.Algorithm != "HMAC-SHA256" {
			t.Fatalf("ParseSignedRequest(%q) = %+v", in, got)
		}
		// Whatever was accepted was signed with the secret: the signature part must verify.
		sig, payload, _ := strings.Cut(in, ".")
		if hmacB64(payload) != strings.TrimRight(sig, "=") {
			t.Fatalf("accepted %q whose signature does not verify", in)
		}
	})
}
