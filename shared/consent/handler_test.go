package consent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/consent/consenttest"
)

const (
	apiKey    = "local-consent-key"
	appSecret = "local-app-secret"
	baseURL   = "https://consent.example.com/prod"
)

func newHandler(t *testing.T) (http.Handler, *consent.Ledger, *consenttest.Store, *clock) {
	t.Helper()
	l, st, clk := newLedger(t, consent.OptOut)
	h, err := consent.NewHandler(consent.HandlerConfig{APIKey: apiKey, AppSecret: []byte(appSecret), Ledger: l,
		StatusBaseURL: baseURL + "/", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return h, l, st, clk
}

func do(h http.Handler, method, path, contentType, key, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		r.Header.Set(consent.APIKeyHeader, key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type view struct {
	Subject  string     `json:"subject"`
	State    string     `json:"state"`
	Explicit bool       `json:"explicit"`
	Regime   string     `json:"regime"`
	Source   string     `json:"source"`
	Actor    string     `json:"actor"`
	At       *time.Time `json:"at"`
	History  []struct {
		State, Source, Actor string
		At                   time.Time
	} `json:"history"`
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return v
}

func TestPostAndGetConsent(t *testing.T) {
	t.Parallel()
	h, l, _, _ := newHandler(t)
	subject := l.Subjects.Key(waKey)

	w := do(h, "GET", "/consent/whatsapp:491701234567", "", apiKey, "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET before = %d %s", w.Code, w.Body)
	}
	v := decode[view](t, w)
	if v.State != "granted" || v.Explicit || v.Regime != "opt-out" || v.Subject != subject || len(v.History) != 0 {
		t.Errorf("GET before = %+v; want the regime default", v)
	}

	w = do(h, "POST", "/consent", "application/json; charset=utf-8", apiKey,
		`{"subject":"whatsapp:+49 170 1234567","state":"denied","actor":"privacy-page"}`)
	if w.Code != http.StatusOK {
		t.Fatalf("POST = %d %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "1701234567") {
		t.Errorf("answer %s holds the phone number", w.Body)
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}

	for _, path := range []string{"/consent/whatsapp:491701234567", "/consent/" + subject, "/consent/" + url.PathEscape("whatsapp:+49 170 1234567")} {
		w = do(h, "GET", path, "", apiKey, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, w.Code, w.Body)
		}
		v = decode[view](t, w)
		if v.State != "denied" || !v.Explicit || v.Source != "api" || v.Actor != "privacy-page" || v.At == nil ||
			len(v.History) != 1 || v.History[0].Source != "api" {
			t.Errorf("GET %s = %+v; want denied from api with one history entry", path, v)
		}
	}
}

func TestPostConsentErrors(t *testing.T) {
	t.Parallel()
	h, _, st, _ := newHandler(t)
	valid := `{"subject":"whatsapp:491701234567","state":"denied"}`
	tests := []struct {
		name, contentType, key, body string
		status                       int
		msg                          string
	}{
		{"no key", "application/json", "", valid, 401, "missing X-Api-Key"},
		{"wrong key", "application/json", "local-consent-kez", valid, 401, "wrong API key"},
		{"prefix of key", "application/json", "local", valid, 401, "wrong API key"},
		{"no content type", "", apiKey, valid, 415, "Content-Type"},
		{"form", "application/x-www-form-urlencoded", apiKey, "subject=x", 415, "Content-Type"},
		{"too large", "application/json", apiKey, `{"subject":"` + strings.Repeat("1", consent.MaxBodyBytes) + `"}`, 413, "16 KiB"},
		{"malformed", "application/json", apiKey, `{"subject":`, 400, "JSON"},
		{"empty", "application/json", apiKey, ``, 400, "empty body"},
		{"unknown field", "application/json", apiKey, `{"subject":"whatsapp:491701234567","state":"denied","phone":"1"}`, 400, "unknown field"},
		{"state wrong type", "application/json", apiKey, `{"subject":"whatsapp:491701234567","state":1}`, 400, "wrong type"},
		{"two objects", "application/json", apiKey, valid + valid, 400, "exactly one"},
		{"array", "application/json", apiKey, `[]`, 400, "JSON"},
		{"bad state", "application/json", apiKey, `{"subject":"whatsapp:491701234567","state":"revoked"}`, 400, "granted"},
		{"no state", "application/json", apiKey, `{"subject":"whatsapp:491701234567"}`, 400, "granted"},
		{"no subject", "application/json", apiKey, `{"state":"denied"}`, 400, "empty"},
		{"bad surface", "application/json", apiKey, `{"subject":"sms:491701234567","state":"denied"}`, 400, "unknown surface"},
		{"letters in number", "application/json", apiKey, `{"subject":"whatsapp:4917O1234567","state":"denied"}`, 400, "digits only"},
		{"control char actor", "application/json", apiKey, `{"subject":"whatsapp:491701234567","state":"denied","actor":"a\nb"}`, 400, "actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, "POST", "/consent", tt.contentType, tt.key, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			var e struct{ Error, Kind string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, tt.msg) {
				t.Errorf("body = %s, want error containing %q", w.Body, tt.msg)
			}
		})
	}
	if _, err := st.GetConsent(context.Background(), (consent.Subjects{Pepper: pepper}).Key(waKey)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a rejected request changed consent: %v", err)
	}
}

func TestGetConsentErrors(t *testing.T) {
	t.Parallel()
	h, _, _, _ := newHandler(t)
	tests := []struct {
		name, path, key string
		status          int
	}{
		{"no key", "/consent/whatsapp:491701234567", "", 401},
		{"wrong key", "/consent/whatsapp:491701234567", "nope", 401},
		{"bad subject", "/consent/whatsapp:abc", apiKey, 400},
		{"bad subject id", "/consent/sub_zzz", apiKey, 400},
		{"no surface", "/consent/491701234567", apiKey, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if w := do(h, "GET", tt.path, "", tt.key, ""); w.Code != tt.status {
				t.Errorf("GET %s = %d, want %d (%s)", tt.path, w.Code, tt.status, w.Body)
			}
		})
	}
}

func TestNewHandlerConfig(t *testing.T) {
	t.Parallel()
	l, _, _ := newLedger(t, consent.OptOut)
	good := consent.HandlerConfig{APIKey: apiKey, AppSecret: []byte(appSecret), Ledger: l, StatusBaseURL: baseURL}
	tests := []struct {
		name string
		mod  func(*consent.HandlerConfig)
	}{
		{"no key", func(c *consent.HandlerConfig) { c.APIKey = "" }},
		{"no secret", func(c *consent.HandlerConfig) { c.AppSecret = nil }},
		{"no ledger", func(c *consent.HandlerConfig) { c.Ledger = nil }},
		{"relative base", func(c *consent.HandlerConfig) { c.StatusBaseURL = "/prod" }},
		{"short pepper", func(c *consent.HandlerConfig) {
			l2 := *l
			l2.Subjects = consent.Subjects{Pepper: []byte("x")}
			c.Ledger = &l2
		}},
	}
	for _, tt := range tests {
		cfg := good
		tt.mod(&cfg)
		if _, err := consent.NewHandler(cfg); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: err = %v, want invalid", tt.name, err)
		}
	}
	if _, err := consent.NewHandler(good); err != nil {
		t.Errorf("good config: %v", err)
	}
}

func signedForm(t *testing.T, payload map[string]any, secret string) string {
	t.Helper()
	s, err := consent.SignRequest(payload, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"signed_request": {s}}.Encode()
}

func TestDataDeletion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, l, st, clk := newHandler(t)
	asid := msKey.User
	putConv(t, l, st, msKey, "en")
	ms := l.Subjects.Key(msKey)
	if _, _, err := l.Decide(ctx, consent.Decision{Subject: ms, State: consent.Granted, Source: consent.SourceChat}); err != nil {
		t.Fatal(err)
	}
	payload := map[string]any{"algorithm": "HMAC-SHA256", "expires": clk.Now().Add(time.Hour).Unix(),
		"issued_at": clk.Now().Unix(), "user_id": asid}
	const form = "application/x-www-form-urlencoded"

	// Tampered: signed with another secret, or the payload edited after signing.
	tampered := signedForm(t, payload, "another-secret")
	sr, _ := consent.SignRequest(payload, []byte(appSecret))
	sig, _, _ := strings.Cut(sr, ".")
	edited := map[string]any{"algorithm": "HMAC-SHA256", "issued_at": clk.Now().Unix(), "user_id": "1"}
	other, _ := consent.SignRequest(edited, []byte(appSecret))
	_, otherPayload, _ := strings.Cut(other, ".")
	for name, body := range map[string]string{
		"wrong secret":   tampered,
		"edited payload": url.Values{"signed_request": {sig + "." + otherPayload}}.Encode(),
	} {
		w := do(h, "POST", "/meta/data-deletion", form, "", body)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: status = %d, want 401 (%s)", name, w.Code, w.Body)
		}
	}
	if _, err := st.GetConversation(ctx, msKey); err != nil {
		t.Fatalf("tampered request deleted the conversation: %v", err)
	}
	if rec, err := st.GetConsent(ctx, ms); err != nil || rec.Source != consent.SourceChat {
		t.Fatalf("tampered request touched consent: %+v, %v", rec, err)
	}

	for name, tt := range map[string]struct {
		ct, body string
		status   int
	}{
		"json body":      {"application/json", `{"signed_request":"x"}`, 415},
		"missing field":  {form, "foo=bar", 400},
		"broken form":    {form, "signed_request=%zz", 400},
		"expired":        {form, signedForm(t, map[string]any{"algorithm": "HMAC-SHA256", "expires": clk.Now().Add(-time.Hour).Unix(), "user_id": asid}, appSecret), 401},
		"too large body": {form, "signed_request=" + strings.Repeat("a", consent.MaxBodyBytes+1), 413},
	} {
		if w := do(h, "POST", "/meta/data-deletion", tt.ct, "", tt.body); w.Code != tt.status {
			t.Errorf("%s: status = %d, want %d (%s)", name, w.Code, tt.status, w.Body)
		}
	}

	w := do(h, "POST", "/meta/data-deletion", form, "", signedForm(t, payload, appSecret))
	if w.Code != http.StatusOK {
		t.Fatalf("valid: status = %d (%s)", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	ans := decode[map[string]string](t, w)
	code := ans["confirmation_code"]
	if !consent.ValidDeletionCode(code) || ans["url"] != baseURL+"/meta/data-deletion/"+code || len(ans) != 2 {
		t.Fatalf("answer = %v", ans)
	}
	if _, err := st.GetConversation(ctx, msKey); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("conversation survived the deletion: %v", err)
	}
	if hist, _ := st.ConsentHistory(ctx, ms); len(hist) != 1 || hist[0].Source != consent.SourceDataDeletion {
		t.Errorf("history after deletion = %+v", hist)
	}

	w = do(h, "GET", "/meta/data-deletion/"+code, "", "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("status page = %d %s", w.Code, w.Body)
	}
	st1 := decode[map[string]any](t, w)
	if st1["status"] != "done" || st1["confirmation_code"] != code || st1["completed_at"] == nil {
		t.Errorf("status = %v", st1)
	}
	w = do(h, "GET", "/meta/data-deletion/"+code, "", "", "", "Accept", "text/html,application/xhtml+xml,application/json;q=0.9")
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "<strong>done</strong>") {
		t.Errorf("html status = %s %s", w.Header().Get("Content-Type"), w.Body)
	}
	for _, c := range []string{"aaaaaaaaaaaaaaaa", "nope", "AAAAAAAAAAAAAAAA"} {
		if w := do(h, "GET", "/meta/data-deletion/"+c, "", "", ""); w.Code != http.StatusNotFound {
			t.Errorf("GET unknown %s = %d, want 404", c, w.Code)
		}
	}

	// GET /consent shows the deletion's denial.
	w = do(h, "GET", "/consent/messenger:"+asid, "", apiKey, "")
	if v := decode[view](t, w); v.State != "denied" || v.Source != "data_deletion" {
		t.Errorf("consent after deletion = %+v", v)
	}
}

func TestDataDeletionStoreDown(t *testing.T) {
	t.Parallel()
	h, _, st, clk := newHandler(t)
	st.Fail = func(op string) error {
		if op == "EraseSubject" {
			return apperr.E("test", apperr.Transient, "throttled")
		}
		return nil
	}
	body := signedForm(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": clk.Now().Unix(), "user_id": "218471"}, appSecret)
	if w := do(h, "POST", "/meta/data-deletion", "application/x-www-form-urlencoded", "", body); w.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503 so Meta retries (%s)", w.Code, w.Body)
	}
}

func TestHandlerLogsNoPersonalData(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	l, st, clk := newLedger(t, consent.OptOut)
	h, err := consent.NewHandler(consent.HandlerConfig{APIKey: apiKey, AppSecret: []byte(appSecret), Ledger: l,
		StatusBaseURL: baseURL, Now: clk.Now, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	do(h, "POST", "/consent", "application/json", apiKey, `{"subject":"whatsapp:491701234567","state":"denied","actor":"anna@example.com"}`)
	do(h, "POST", "/meta/data-deletion", "application/x-www-form-urlencoded", "",
		signedForm(t, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": clk.Now().Unix(), "user_id": "6123456789012345"}, appSecret))
	st.Fail = func(string) error { return apperr.E("test", apperr.Transient, "throttled") }
	do(h, "POST", "/consent", "application/json", apiKey, `{"subject":"whatsapp:491701234567","state":"granted"}`)
	out := logs.String()
	if !strings.Contains(out, l.Subjects.Key(channel.Key{Surface: channel.WhatsApp, User: "491701234567"})) ||
		!strings.Contains(out, "throttled") {
		t.Fatalf("logs lack the decision or the error: %s", out)
	}
	for _, secret := range []string{"491701234567", "1701234567", "6123456789012345", "anna@example.com", apiKey, appSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("logs hold %q:\n%s", secret, out)
		}
	}
}

func TestDataDeletionURLFromRequest(t *testing.T) {
	t.Parallel()
	l, _, clk := newLedger(t, consent.OptOut)
	h, err := consent.NewHandler(consent.HandlerConfig{APIKey: apiKey, AppSecret: []byte(appSecret), Ledger: l, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	payload := map[string]any{"algorithm": "HMAC-SHA256", "issued_at": clk.Now().Unix(), "user_id": "4242"}
	body := signedForm(t, payload, appSecret)
	r := httptest.NewRequest("POST", "/meta/data-deletion", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Host = "abc123.execute-api.eu-central-1.amazonaws.com"
	r.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var got struct {
		URL  string `json:"url"`
		Code string `json:"confirmation_code"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("status %d body %s (%v)", w.Code, w.Body, err)
	}
	if want := "https://abc123.execute-api.eu-central-1.amazonaws.com/meta/data-deletion/" + got.Code; got.URL != want {
		t.Errorf("url = %q, want %q", got.URL, want)
	}
}

func TestActorRules(t *testing.T) {
	t.Parallel()
	h, _, _, _ := newHandler(t)
	long := strings.Repeat("a", 129)
	for _, tt := range []struct {
		name, method, path, body string
		hdr                      []string
		msg                      string
	}{
		{"post too long", "POST", "/consent", `{"subject":"whatsapp:491701234567","state":"denied","actor":"` + long + `"}`, nil, "actor must be at most 128"},
		{"delete too long", "DELETE", "/consent/whatsapp:491701234567", "", []string{"X-Actor", long}, "X-Actor must be at most 128"},
		{"delete control char", "DELETE", "/consent/whatsapp:491701234567", "", []string{"X-Actor", "a\tb"}, "X-Actor must be at most 128"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.method, tt.path, "application/json", apiKey, tt.body, tt.hdr...)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tt.msg) {
				t.Errorf("%s %s = %d %s, want 400 with %q", tt.method, tt.path, w.Code, w.Body, tt.msg)
			}
		})
	}
	if w := do(h, "DELETE", "/consent/whatsapp:491701234567", "", "", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("DELETE without a key = %d %s, want 401", w.Code, w.Body)
	}

	// At the limit, and trimmed; an empty actor is the API itself. Each on its own subject: a
	// decision that changes nothing keeps the first one's actor.
	for i, tc := range []struct{ actor, want string }{
		{strings.Repeat("a", 128), strings.Repeat("a", 128)}, {"  ", "api"}, {" privacy-page ", "privacy-page"},
	} {
		subject := fmt.Sprintf("whatsapp:49170123456%d", i)
		body := `{"subject":"` + subject + `","state":"denied","actor":"` + tc.actor + `"}`
		if w := do(h, "POST", "/consent", "application/json", apiKey, body); w.Code != http.StatusOK {
			t.Fatalf("POST actor %q = %d %s", tc.actor, w.Code, w.Body)
		}
		w := do(h, "GET", "/consent/"+subject, "", apiKey, "")
		if v := decode[view](t, w); v.Actor != tc.want {
			t.Errorf("actor %q recorded as %q, want %q", tc.actor, v.Actor, tc.want)
		}
	}
}
