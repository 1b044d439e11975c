//go:build linux

package artifact_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// trafficTrap is the proxy every bootstrap is given (HTTPS_PROXY, HTTP_PROXY). The fakes and
// moto listen on 127.0.0.1, which Go's proxy rules never send through a proxy, so the only
// requests that reach the trap are those meant for anywhere else: the real Graph API, Slack,
// AWS. It records and refuses each one. Modelled on tailscale's tstest/integration trafficTrap.
type trafficTrap struct {
	srv *httptest.Server

	mu   sync.Mutex
	seen []string
}

func newTrafficTrap(tb testing.TB) *trafficTrap {
	tb.Helper()
	tt := &trafficTrap{}
	tt.srv = httptest.NewServer(tt)
	tb.Cleanup(tt.srv.Close)
	return tt
}

// ServeHTTP records "CONNECT host:port" for HTTPS and "METHOD url" for plain HTTP, and answers
// 403 so the caller fails fast instead of reaching the network.
func (tt *trafficTrap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	what := r.Method + " " + r.URL.String()
	if r.Method == http.MethodConnect {
		what = r.Method + " " + r.Host
	}
	tt.mu.Lock()
	tt.seen = append(tt.seen, what)
	tt.mu.Unlock()
	http.Error(w, "frontdesk artifact test: outbound traffic is not allowed", http.StatusForbidden)
}

// URL is the proxy URL to configure.
func (tt *trafficTrap) URL() string { return tt.srv.URL }

// requests returns what the trap caught so far.
func (tt *trafficTrap) requests() []string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return slices.Clone(tt.seen)
}
