package hostguard_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/hostguard"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	reached := 0
	h := hostguard.Middleware(hostguard.Loopback("3000"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	for _, tt := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:3000", 200},
		{"localhost:3000", 200},
		{"LOCALHOST:3000", 200},
		{"localhost.:3000", 200},
		{"[::1]:3000", 200},
		{"evil.example", 403},
		{"evil.example:3000", 403},
		{"127.0.0.1", 403},
		{"127.0.0.1:3001", 403},
		{"localhost:3000.evil.example", 403},
		{"", 403},
	} {
		reached = 0
		r := httptest.NewRequest(http.MethodGet, "/_local/outbox", nil)
		r.Host = tt.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want || (tt.want == 200) != (reached == 1) {
			t.Errorf("Host %q: status %d, handler reached %d times; want %d", tt.host, w.Code, reached, tt.want)
		}
	}
}

// FuzzMiddleware: whatever the Host header, the handler is reached only for a loopback name
// with the server's port (other letter case and a trailing dot allowed).
func FuzzMiddleware(f *testing.F) {
	for _, s := range []string{"127.0.0.1:3000", "LOCALHOST.:3000", "[::1]:3000", "evil.example", "[::1", "localhost:3000:3000", "%00", ""} {
		f.Add(s)
	}
	allowed := hostguard.Loopback("3000")
	f.Fuzz(func(t *testing.T, host string) {
		reached := false
		h := hostguard.Middleware(allowed)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !reached {
			if w.Code != http.StatusForbidden {
				t.Fatalf("Host %q: status %d, want 403", host, w.Code)
			}
			return
		}
		name, port, err := net.SplitHostPort(host)
		name = strings.TrimSuffix(strings.ToLower(name), ".")
		if err != nil || port != "3000" || (name != "127.0.0.1" && name != "localhost" && name != "::1") {
			t.Fatalf("Host %q reached the handler", host)
		}
	})
}
