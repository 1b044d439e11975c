package meta

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

var testSecret = []byte("local-app-secret")

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"page","entry":[]}`)
	good := Sign(body, testSecret)
	tests := []struct {
		name   string
		header string
		body   []byte
		secret []byte
		ok     bool
	}{
		{"valid", good, body, testSecret, true},
		{"valid uppercase hex", "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, testSecret, true},
		{"missing", "", body, testSecret, false},
		{"sha1 prefix", "sha1=" + strings.TrimPrefix(good, "sha256="), body, testSecret, false},
		{"no prefix", strings.TrimPrefix(good, "sha256="), body, testSecret, false},
		{"not hex", "sha256=zz" + good[9:], body, testSecret, false},
		{"short", good[:len(good)-2], body, testSecret, false},
		{"wrong secret", good, body, []byte("other"), false},
		{"body changed", good, append([]byte(" "), body...), testSecret, false},
		{"no secret configured", good, body, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := VerifySignature(tt.header, tt.body, tt.secret)
			if tt.ok {
				if err != nil {
					t.Fatalf("VerifySignature = %v, want nil", err)
				}
				return
			}
			if !apperr.Is(err, apperr.Unauthorized) {
				t.Fatalf("VerifySignature = %v, want an Unauthorized error", err)
			}
			if apperr.Message(err) == "" || apperr.Message(err) == "unauthorized" {
				t.Errorf("message = %q, want a clear reason", apperr.Message(err))
			}
		})
	}
}

// TestSignKnownVector pins Sign to an HMAC computed independently:
// printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac local-app-secret
func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	const want = "sha256=14dea58210364a8814538318d0ee79ab89c036b5d550080041b42a0ce5990b33"
	if got := Sign([]byte(`{"a":1}`), testSecret); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func FuzzVerifySignature(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(Sign(b, testSecret), b)
		f.Add("sha256=00", b)
	}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := VerifySignature(header, body, testSecret)
		if err != nil && !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("VerifySignature error kind = %v, want unauthorized", apperr.KindOf(err))
		}
		if err == nil && header != Sign(body, testSecret) && !strings.EqualFold(header, Sign(body, testSecret)) {
			t.Fatalf("VerifySignature accepted %q for a body it does not sign", header)
		}
	})
}
