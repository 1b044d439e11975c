package ingress_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/ingress"
)

func TestBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        string
		contentType string
		unknownLen  bool
		want        apperr.Kind
	}{
		{"within the limit", `{"a":1}`, "application/json", false, apperr.Other},
		{"with parameters", `{"a":1}`, "application/json; charset=utf-8", false, apperr.Other},
		{"over the limit, length given", strings.Repeat("x", 17), "application/json", false, apperr.TooLarge},
		{"over the limit, streamed", strings.Repeat("x", 17), "application/json", true, apperr.TooLarge},
		{"another media type", `a=1`, "application/x-www-form-urlencoded", false, apperr.Unsupported},
		{"no media type", `{}`, "", false, apperr.Unsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			if tt.unknownLen {
				r.ContentLength = -1
			}
			b, err := ingress.Body(httptest.NewRecorder(), r, 16, "application/json")
			if tt.want == apperr.Other {
				if err != nil || string(b) != tt.body {
					t.Fatalf("Body = %q, %v; want the body", b, err)
				}
				return
			}
			if !apperr.Is(err, tt.want) {
				t.Fatalf("Body error = %v, want %s", err, tt.want)
			}
		})
	}
	r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("a=1"))
	if b, err := ingress.Body(httptest.NewRecorder(), r, 16); err != nil || string(b) != "a=1" {
		t.Errorf("Body without media types = %q, %v; want any type accepted", b, err)
	}
}

// logged captures the logs of one request.
func logged() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, nil)), &buf
}

func lines(buf *bytes.Buffer) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(l), &m)
		out = append(out, m)
	}
	return out
}

func TestFailLogsOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err       error
		status    int
		level     string
		wantCause bool
	}{
		{apperr.E("x", apperr.Unauthorized, "bad signature"), 401, "WARN", false},
		{apperr.Wrap("x", apperr.Transient, apperr.E("sqs", apperr.Transient, "queue down"), "cannot enqueue"), 503, "ERROR", true},
	}
	for _, tt := range tests {
		log, buf := logged()
		w := httptest.NewRecorder()
		ingress.Fail(w, httptest.NewRequest(http.MethodPost, "/slack/events", nil), log, tt.err)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), apperr.Message(tt.err)) {
			t.Errorf("answer = %d %s, want %d with the message", w.Code, w.Body, tt.status)
		}
		ls := lines(buf)
		if len(ls) != 1 || ls[0]["level"] != tt.level || ls[0]["route"] != "POST /slack/events" {
			t.Errorf("logs = %v, want one %s line naming the route", ls, tt.level)
			continue
		}
		if _, ok := ls[0]["err"]; ok != tt.wantCause {
			t.Errorf("log has the cause: %v, want %v", ok, tt.wantCause)
		}
	}
}

func TestGuard(t *testing.T) {
	t.Parallel()
	log, buf := logged()
	h := ingress.Guard(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("nil map") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/consent", nil))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "nil map") {
		t.Errorf("answer = %d %s, want a 500 that does not show the panic", w.Code, w.Body)
	}
	ls := lines(buf)
	if len(ls) != 1 || ls[0]["panic"] != "nil map" || !strings.Contains(ls[0]["stack"].(string), "ingress_test") {
		t.Errorf("logs = %v, want one line with the panic and its stack", ls)
	}

	abort := ingress.Guard(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler passed on", p)
		}
	}()
	abort.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}
