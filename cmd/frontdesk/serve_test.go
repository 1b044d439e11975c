package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs `frontdesk serve` on a free port with env and returns its address and banner.
func startServe(t *testing.T, env map[string]string) (addr string, banner *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--template", "../../template.yaml"},
			func(k string) string { return env[k] }, out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	re := regexp.MustCompile(`on http://(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil && strings.Contains(out.String(), "SUBJECT_PEPPER") {
			return m[1], out
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("serve did not start: %s", out)
	return "", nil
}

// A page on another origin whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name
// as Host: the local server refuses it, so the outbox (message text, numbers) is not readable
// from a browser tab. Secrets given through the environment never reach the banner.
func TestServeHostAllowList(t *testing.T) {
	t.Parallel()
	const secret = "a-real-app-secret-from-the-env"
	addr, banner := startServe(t, map[string]string{"META_APP_SECRET": secret})
	_, port, _ := net.SplitHostPort(addr)

	do := func(method, host string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+"/_local/outbox", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.evil.example:" + port, "127.0.0.1:1"} {
		for _, method := range []string{http.MethodGet, http.MethodDelete} {
			if code, body := do(method, host); code != http.StatusForbidden || strings.HasPrefix(strings.TrimSpace(body), "[") {
				t.Errorf("%s /_local/outbox with Host %s = %d %s, want 403", method, host, code, body)
			}
		}
	}
	for _, host := range []string{addr, "localhost:" + port, "[::1]:" + port} {
		if code, body := do(http.MethodGet, host); code != http.StatusOK {
			t.Errorf("GET /_local/outbox with Host %s = %d %s, want 200", host, code, body)
		}
	}

	out := banner.String()
	if strings.Contains(out, secret) {
		t.Errorf("the banner prints a secret from the environment:\n%s", out)
	}
	var line string
	for l := range strings.Lines(out) {
		if strings.Contains(l, "META_APP_SECRET") {
			line = l
		}
	}
	if !strings.Contains(line, "(from environment)") {
		t.Errorf("META_APP_SECRET line = %q, want it marked (from environment)", line)
	}
	if !strings.Contains(out, "local-verify-token (default)") {
		t.Errorf("the banner no longer shows the local default secrets:\n%s", out)
	}
}

// A client that sends its request a byte at a time is cut off at the read timeout.
func TestServeReadTimeout(t *testing.T) {
	t.Parallel()
	readErr := make(chan error, 1)
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}), limits{header: 200 * time.Millisecond, read: 500 * time.Millisecond, idle: time.Second}, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range 50 {
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the slow body was read to its end")
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("cut off after %v, want about the 500 ms read timeout", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a 1-byte-per-100-ms body was held for 5 s")
	}

	// A request without its header end is cut off at the header timeout.
	conn2, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	_, _ = io.WriteString(conn2, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	_ = conn2.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadAll(conn2); err != nil {
		// The server closes the connection (EOF, ReadAll's nil) after the header timeout; our
		// own 3 s deadline firing means it held it.
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("the connection with an unfinished header was held for 3 s")
		}
	}
}
