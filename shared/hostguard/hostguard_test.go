package hostguard_test

import (
	"net/http"
	"net/http/httptest"
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
