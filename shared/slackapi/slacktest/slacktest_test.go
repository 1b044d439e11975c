package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const token = "xoxb-test-token"

type answer struct {
	OK      bool           `json:"ok"`
	Error   string         `json:"error"`
	Errors  []string       `json:"errors"`
	Channel string         `json:"channel"`
	TS      string         `json:"ts"`
	Message map[string]any `json:"message"`
}

func post(t *testing.T, s *Server, path, contentType, auth, body string) (int, http.Header, answer) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return resp.StatusCode, resp.Header, a
}

const form = "application/x-www-form-urlencoded"

func TestServerChecksRequests(t *testing.T) {
	t.Parallel()
	good := url.Values{"channel": {"C0DESK"}, "text": {"hi"}}.Encode()
	tests := []struct {
		name        string
		path        string
		contentType string
		auth        string
		body        string
		wantStatus  int
		wantError   string
	}{
		{"ok with bearer", "/api/chat.postMessage", form, "Bearer " + token, good, 200, ""},
		{"ok with form token", "/api/chat.postMessage", form, "", good + "&token=" + token, 200, ""},
		{"ok as json", "/api/chat.postMessage", "application/json; charset=utf-8", "Bearer " + token, `{"channel":"C0DESK","text":"hi"}`, 200, ""},
		{"no token", "/api/chat.postMessage", form, "", good, 200, "not_authed"},
		{"wrong token", "/api/chat.postMessage", form, "Bearer xoxb-other", good, 200, "invalid_auth"},
		{"not bearer", "/api/chat.postMessage", form, "Basic abc", good, 200, "invalid_auth"},
		{"two different tokens", "/api/chat.postMessage", form, "Bearer " + token, good + "&token=xoxb-other", 200, "invalid_auth"},
		{"no content type", "/api/chat.postMessage", "", "Bearer " + token, good, 200, "missing_post_type"},
		{"wrong content type", "/api/chat.postMessage", "text/xml", "Bearer " + token, good, 200, "invalid_post_type"},
		{"bad charset", "/api/chat.postMessage", form + "; charset=latin-9", "Bearer " + token, good, 200, "invalid_charset"},
		{"no base path", "/chat.postMessage", form, "Bearer " + token, good, 404, ""},
		{"unknown method", "/api/chat.meMessage", form, "Bearer " + token, good, 404, "unknown_method"},
		{"unknown channel", "/api/chat.postMessage", form, "Bearer " + token, url.Values{"channel": {"C0OTHER"}, "text": {"x"}}.Encode(), 200, "channel_not_found"},
		{"no channel", "/api/chat.postMessage", form, "Bearer " + token, url.Values{"text": {"x"}}.Encode(), 200, "channel_not_found"},
		{"no text or blocks", "/api/chat.postMessage", form, "Bearer " + token, url.Values{"channel": {"C0DESK"}}.Encode(), 200, "no_text"},
		{"too long", "/api/chat.postMessage", form, "Bearer " + token, url.Values{"channel": {"C0DESK"}, "text": {strings.Repeat("x", 40001)}}.Encode(), 200, "msg_too_long"},
		{"empty thread_ts", "/api/chat.postMessage", form, "Bearer " + token, good + "&thread_ts=", 200, "invalid_thread_ts"},
		{"float thread_ts", "/api/chat.postMessage", form, "Bearer " + token, good + "&thread_ts=1767225600.1", 200, "invalid_thread_ts"},
		{"update without ts", "/api/chat.update", form, "Bearer " + token, good, 200, "message_not_found"},
		{"update unknown ts", "/api/chat.update", form, "Bearer " + token, good + "&ts=1767225699.000100", 200, "message_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(t, token, "C0DESK")
			status, _, a := post(t, s, tt.path, tt.contentType, tt.auth, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status = %d, want %d", status, tt.wantStatus)
			}
			if status == 404 && tt.wantError == "" {
				return
			}
			if a.Error != tt.wantError || a.OK != (tt.wantError == "") {
				t.Fatalf("answer ok=%v error=%q, want error %q", a.OK, a.Error, tt.wantError)
			}
			calls := s.Calls()
			if len(calls) != 1 || calls[0].Error != tt.wantError {
				t.Errorf("recorded calls = %+v, want one with error %q", calls, tt.wantError)
			}
			if tt.wantError == "" && (a.TS == "" || a.Channel != "C0DESK" || a.Message["bot_id"] != BotID) {
				t.Errorf("ok answer = %+v, want channel, ts and the bot's message", a)
			}
		})
	}
}

func TestServerBlocks(t *testing.T) {
	t.Parallel()
	btn := func(id, text string) string {
		return `{"type":"button","action_id":"` + id + `","text":{"type":"plain_text","text":"` + text + `"},"value":"v"}`
	}
	tests := []struct {
		name, blocks string
		wantErr      string // substring of the first Slack error detail, "" for ok
	}{
		{"ok", `[{"type":"section","text":{"type":"mrkdwn","text":"hi"}},{"type":"actions","elements":[` + btn("a", "A") + `,` + btn("b", "B") + `]}]`, ""},
		{"not JSON", `[{`, "invalid JSON"},
		{"empty", `[]`, "1 to 50 blocks"},
		{"header too long", `[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]`, "less than 151"},
		{"header mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`, "plain_text"},
		{"section too long", `[{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("s", 3001) + `"}}]`, "less than 3001"},
		{"section empty", `[{"type":"section"}]`, "text or fields"},
		{"duplicate action ids", `[{"type":"actions","elements":[` + btn("a", "A") + `,` + btn("a", "B") + `]}]`, "unique in the block"},
		{"same action id in two blocks is fine", `[{"type":"actions","elements":[` + btn("a", "A") + `]},{"type":"actions","elements":[` + btn("a", "B") + `]}]`, ""},
		{"duplicate block ids", `[{"type":"divider","block_id":"x"},{"type":"divider","block_id":"x"}]`, "block_id must be unique"},
		{"button text too long", `[{"type":"actions","elements":[` + btn("a", strings.Repeat("b", 76)) + `]}]`, "less than 76"},
		{"empty actions", `[{"type":"actions","elements":[]}]`, "1 to 25 elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(t, token, "C0DESK")
			body := url.Values{"channel": {"C0DESK"}, "text": {"fallback"}, "blocks": {tt.blocks}}.Encode()
			_, _, a := post(t, s, "/api/chat.postMessage", form, "Bearer "+token, body)
			if tt.wantErr == "" {
				if !a.OK {
					t.Fatalf("answer error %q %v, want ok", a.Error, a.Errors)
				}
				return
			}
			if a.OK || a.Error != "invalid_blocks" || len(a.Errors) == 0 || !strings.Contains(a.Errors[0], tt.wantErr) {
				t.Fatalf("answer ok=%v %q %v, want invalid_blocks mentioning %q", a.OK, a.Error, a.Errors, tt.wantErr)
			}
		})
	}
}

func TestServerThreadsAndUpdates(t *testing.T) {
	t.Parallel()
	s := New(t, token, "C0DESK")
	auth := "Bearer " + token
	_, _, parent := post(t, s, "/api/chat.postMessage", form, auth, url.Values{"channel": {"C0DESK"}, "text": {"card"}}.Encode())
	_, _, reply := post(t, s, "/api/chat.postMessage", form, auth, url.Values{"channel": {"C0DESK"}, "text": {"r1"}, "thread_ts": {parent.TS}}.Encode())
	// A reply to a reply lands in the parent's thread, as in Slack.
	_, _, nested := post(t, s, "/api/chat.postMessage", form, auth, url.Values{"channel": {"C0DESK"}, "text": {"r2"}, "thread_ts": {reply.TS}}.Encode())
	_, _, orphan := post(t, s, "/api/chat.postMessage", form, auth, url.Values{"channel": {"C0DESK"}, "text": {"lost"}, "thread_ts": {"1700000000.000001"}}.Encode())
	if !(parent.TS < reply.TS && reply.TS < nested.TS && nested.TS < orphan.TS) {
		t.Errorf("ts not increasing: %s %s %s %s", parent.TS, reply.TS, nested.TS, orphan.TS)
	}
	if th := s.Thread("C0DESK", parent.TS); len(th) != 2 || th[0].Text != "r1" || th[1].Text != "r2" {
		t.Errorf("thread = %+v, want r1, r2", th)
	}
	if calls := s.Calls(); !calls[3].Orphan || calls[1].Orphan {
		t.Errorf("orphan flags = %v, %v; want only the reply to an unknown ts flagged", calls[1].Orphan, calls[3].Orphan)
	}
	_, _, upd := post(t, s, "/api/chat.update", form, auth, url.Values{"channel": {"C0DESK"}, "ts": {parent.TS}, "text": {"card v2"}}.Encode())
	if !upd.OK || upd.TS != parent.TS {
		t.Fatalf("update answer = %+v", upd)
	}
	if m, _ := s.Message("C0DESK", parent.TS); m.Text != "card v2" || m.Edits != 1 || m.ThreadTS != parent.TS {
		t.Errorf("message after update = %+v", m)
	}
}

func TestServerInjectedFailures(t *testing.T) {
	t.Parallel()
	s := New(t, token, "C0DESK")
	auth := "Bearer " + token
	good := url.Values{"channel": {"C0DESK"}, "text": {"hi"}}.Encode()
	s.RateLimitNext("chat.postMessage", 3)
	s.FailNext("chat.postMessage", Failure{Error: "internal_error"})
	s.FailNext("chat.postMessage", Failure{Status: 503})
	s.FailNext("chat.update", Failure{After: 1, Error: "edit_window_closed"})

	status, h, a := post(t, s, "/api/chat.postMessage", form, auth, good)
	if status != 429 || h.Get("Retry-After") != "3" || a.Error != "ratelimited" {
		t.Errorf("1st: %d Retry-After=%q %q, want 429, 3, ratelimited", status, h.Get("Retry-After"), a.Error)
	}
	if status, _, a = post(t, s, "/api/chat.postMessage", form, auth, good); status != 200 || a.Error != "internal_error" {
		t.Errorf("2nd: %d %q, want 200 internal_error", status, a.Error)
	}
	if status, _, _ = post(t, s, "/api/chat.postMessage", form, auth, good); status != 503 {
		t.Errorf("3rd: %d, want 503", status)
	}
	status, _, a = post(t, s, "/api/chat.postMessage", form, auth, good)
	if status != 200 || !a.OK {
		t.Errorf("4th: %d %q, want ok", status, a.Error)
	}
	upd := url.Values{"channel": {"C0DESK"}, "ts": {a.TS}, "text": {"v2"}}.Encode()
	if _, _, u := post(t, s, "/api/chat.update", form, auth, upd); !u.OK {
		t.Errorf("1st update: %q, want ok (After: 1)", u.Error)
	}
	if _, _, u := post(t, s, "/api/chat.update", form, auth, upd); u.Error != "edit_window_closed" {
		t.Errorf("2nd update: %q, want edit_window_closed", u.Error)
	}
	// Failures are answered only to authenticated calls, as Slack checks auth first.
	s.FailNext("chat.postMessage", Failure{Error: "internal_error"})
	if _, _, a := post(t, s, "/api/chat.postMessage", form, "Bearer nope", good); a.Error != "invalid_auth" {
		t.Errorf("unauthenticated call answered %q, want invalid_auth", a.Error)
	}
	if got := len(s.CallsTo("chat.postMessage")); got != 1 {
		t.Errorf("accepted posts = %d, want 1", got)
	}
}

// The external upload flow is checked step by step, as Slack does: the declared length, the
// upload before the completion, one completion per file.
func TestFileUploadFlow(t *testing.T) {
	t.Parallel()
	s := New(t, token, "C1")
	ts := s.Post("C1", "card")
	form := func(v url.Values) string { return v.Encode() }
	const ct = "application/x-www-form-urlencoded"
	auth := "Bearer " + token
	_, _, a := post(t, s, BasePath+"files.getUploadURLExternal", ct, auth, form(url.Values{"filename": {"a.pdf"}}))
	if a.Error != "invalid_arguments" {
		t.Errorf("no length: %+v, want invalid_arguments", a)
	}
	var up struct {
		OK        bool   `json:"ok"`
		UploadURL string `json:"upload_url"`
		FileID    string `json:"file_id"`
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+BasePath+"files.getUploadURLExternal", strings.NewReader(form(url.Values{"filename": {"a.pdf"}, "length": {"4"}})))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", auth)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if !up.OK || up.FileID == "" || !strings.HasPrefix(up.UploadURL, s.srv.URL) {
		t.Fatalf("getUploadURLExternal = %+v", up)
	}
	files := `[{"id":"` + up.FileID + `","title":"a.pdf"}]`
	if _, _, a := post(t, s, BasePath+"files.completeUploadExternal", ct, auth, form(url.Values{"files": {files}, "channel_id": {"C1"}, "thread_ts": {ts}})); a.Error != "file_upload_incomplete" {
		t.Errorf("complete before the upload: %+v, want file_upload_incomplete", a)
	}
	resp, err = s.Client().Post(up.UploadURL, "application/pdf", strings.NewReader("%PDF"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if _, _, a := post(t, s, BasePath+"files.completeUploadExternal", ct, auth, form(url.Values{"files": {files}, "channel_id": {"C1"}, "thread_ts": {ts}, "initial_comment": {"hi"}})); !a.OK {
		t.Fatalf("complete: %+v", a)
	}
	if th := s.Thread("C1", ts); len(th) != 1 || len(th[0].Files) != 1 || string(th[0].Files[0].Data) != "%PDF" || th[0].Text != "hi" {
		t.Errorf("thread = %+v, want the file shared with its comment", th)
	}
	if _, _, a := post(t, s, BasePath+"files.completeUploadExternal", ct, auth, form(url.Values{"files": {files}, "channel_id": {"C1"}})); a.Error != "file_already_completed" {
		t.Errorf("second completion: %+v", a)
	}
}
