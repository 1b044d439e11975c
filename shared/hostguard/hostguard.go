// Package hostguard keeps a local HTTP server to its own names: a request whose Host header is
// not one of them is refused before any handler runs.
//
// A server on 127.0.0.1 is reachable from every web page the developer opens: a page on
// evil.example whose DNS name is re-pointed to 127.0.0.1 (DNS rebinding) sends requests with
// "Host: evil.example" and, being same-origin to itself, reads the answers. Checking Host
// defeats it: the browser always sends the name the page used. See
// https://developer.mozilla.org/en-US/docs/Web/Security/Attacks/DNS_rebinding (the mitigation
// section) and the same check in webpack-dev-server's allowedHosts.
package hostguard

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
)

// Loopback returns the names a server listening on a loopback address at port answers to:
// 127.0.0.1, localhost and [::1], each with the port.
func Loopback(port string) []string {
	return []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("localhost", port), net.JoinHostPort("::1", port)}
}

// Middleware passes a request to next when its Host (compared without case, and without a
// trailing dot) is one of hosts, each "name:port"; any other is answered 403 with a JSON error
// that names the allowed hosts, and next never sees it.
func Middleware(hosts []string) func(http.Handler) http.Handler {
	allowed := make([]string, 0, len(hosts))
	for _, h := range hosts {
		allowed = append(allowed, normalize(h))
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !slices.Contains(allowed, normalize(r.Host)) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_ = json.NewEncoder(w).Encode(map[string]any{
					"error": "this local server answers only requests addressed to " + strings.Join(hosts, ", ") + " (Host header)",
					"kind":  "forbidden",
				})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func normalize(host string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = host, ""
	}
	h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
	if port == "" {
		return h
	}
	return net.JoinHostPort(h, port)
}
