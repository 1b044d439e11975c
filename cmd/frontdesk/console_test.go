package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// With a real token set, what the console sends would reach real people: it stays off unless
// asked, and says why.
func TestConsoleOffWithRealCredentials(t *testing.T) {
	t.Parallel()
	env := func(k string) string {
		if k == "SLACK_BOT_TOKEN" {
			return "xoxb-real"
		}
		return ""
	}
	if why := consoleOff(env, false); !strings.Contains(why, "SLACK_BOT_TOKEN is set") || !strings.Contains(why, "--console-with-real-credentials") {
		t.Errorf("consoleOff = %q, want the variable named and the flag", why)
	}
	if why := consoleOff(env, true); why != "" {
		t.Errorf("consoleOff with the flag = %q, want on", why)
	}
	if why := consoleOff(func(string) string { return "" }, false); why != "" {
		t.Errorf("consoleOff without real tokens = %q, want on", why)
	}

	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	st, err := newStack(context.Background(), localEnv(env), realTokens(env), filepath.Join("..", "..", "template.yaml"), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	url, err := st.mountConsole(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3000}, consoleOff(env, false), logger)
	if err != nil || !strings.HasPrefix(url, "off: SLACK_BOT_TOKEN is set") {
		t.Fatalf("mountConsole = %q, %v", url, err)
	}
	r := httptest.NewRequest(http.MethodGet, "/_local/console", nil)
	r.Host = "127.0.0.1:3000"
	w := httptest.NewRecorder()
	st.mux.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "SLACK_BOT_TOKEN is set") {
		t.Errorf("GET /_local/console = %d %q, want 403 saying why", w.Code, w.Body.String())
	}
}

// A stack listening beyond loopback does not serve the console at all.
func TestConsoleOffBeyondLoopback(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	env := func(string) string { return "" }
	st, err := newStack(context.Background(), localEnv(env), realTokens(env), filepath.Join("..", "..", "template.yaml"), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	url, err := st.mountConsole(&net.TCPAddr{IP: net.IPv4zero, Port: 3000}, "", logger)
	if err != nil || !strings.Contains(url, "not on loopback") {
		t.Errorf("mountConsole(0.0.0.0:3000) = %q, %v; want off", url, err)
	}
}

// The README's console pictures exist and are PNGs (make screenshots retakes them).
func TestReadmeScreenshotsExist(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`\]\((docs/img/[^)]+\.png)\)`).FindAllStringSubmatch(string(readme), -1)
	if len(refs) < 2 {
		t.Fatalf("README shows %d console screenshots, want the ones make screenshots takes", len(refs))
	}
	for _, r := range refs {
		b, err := os.ReadFile(filepath.Join("..", "..", r[1]))
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s: not a PNG (%v)", r[1], err)
		}
	}
}

// The console is the local stack's alone: no Lambda function links it (nor its test browser).
func TestLambdaFunctionsLinkNoConsole(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "../../functions/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/shared/console") || strings.Contains(pkg, "chromedp") {
			t.Errorf("a Lambda function links %s", pkg)
		}
	}
	if !strings.Contains(string(out), "/shared/app") {
		t.Errorf("go list -deps ../../functions/... lists no shared/app: the check looks at the wrong packages")
	}
}
