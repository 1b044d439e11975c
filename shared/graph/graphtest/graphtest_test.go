package graphtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// recTB records Errorf calls instead of failing, to test the fake's strictness.
type recTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

var accounts = Accounts{
	WhatsApp:  map[string]string{"111": "wa-token"},
	Pages:     map[string]string{"222": "page-token"},
	Instagram: map[string]string{"333": "ig-token"},
}

type graphErr struct {
	Error struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

func post(t *testing.T, s *Server, path, token, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

const (
	waText = `{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"hi","preview_url":false}}`
	fbText = `{"recipient":{"id":"699"},"messaging_type":"RESPONSE","message":{"text":"hi"}}`
)

func buttons(n int, title string) string {
	var b []string
	for i := range n {
		b = append(b, fmt.Sprintf(`{"type":"reply","reply":{"id":"b%d","title":"%s%d"}}`, i, title, i))
	}
	return `{"messaging_product":"whatsapp","to":"1","type":"interactive","interactive":{"type":"button","body":{"text":"pick"},"action":{"buttons":[` + strings.Join(b, ",") + `]}}}`
}

func list(rows int) string {
	var r []string
	for i := range rows {
		r = append(r, fmt.Sprintf(`{"id":"r%d","title":"Row %d"}`, i, i))
	}
	return `{"messaging_product":"whatsapp","to":"1","type":"interactive","interactive":{"type":"list","body":{"text":"pick"},"action":{"button":"Options","sections":[{"rows":[` + strings.Join(r, ",") + `]}]}}}`
}

func quickReplies(n int) string {
	var q []string
	for i := range n {
		q = append(q, fmt.Sprintf(`{"content_type":"text","title":"Q%d","payload":"p%d"}`, i, i))
	}
	return `{"recipient":{"id":"699"},"messaging_type":"RESPONSE","message":{"text":"hi","quick_replies":[` + strings.Join(q, ",") + `]}}`
}

func TestServerChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		path       string
		token      string
		ct         string
		body       string
		wantStatus int
		wantCode   int
		violation  bool // the fake must flag a sender bug
	}{
		{"whatsapp text ok", BasePath + "/v25.0/111/messages", "wa-token", "application/json", waText, 200, 0, false},
		{"messenger ok", BasePath + "/v25.0/222/messages", "page-token", "application/json", fbText, 200, 0, false},
		{"three buttons ok", BasePath + "/v25.0/111/messages", "wa-token", "application/json", buttons(3, "B"), 200, 0, false},
		{"ten rows ok", BasePath + "/v25.0/111/messages", "wa-token", "application/json", list(10), 200, 0, false},
		{"thirteen quick replies ok", BasePath + "/v25.0/333/messages", "ig-token", "application/json", quickReplies(13), 200, 0, false},
		{"wrong token", BasePath + "/v25.0/111/messages", "page-token", "application/json", waText, 401, 190, false},
		{"no token", BasePath + "/v25.0/111/messages", "", "application/json", waText, 400, 2500, false},
		{"unknown account", BasePath + "/v25.0/999/messages", "wa-token", "application/json", waText, 400, 100, false},
		{"missing base path", "/v25.0/111/messages", "wa-token", "application/json", waText, 404, 803, true},
		{"bad version", BasePath + "/25.0/111/messages", "wa-token", "application/json", waText, 400, 2500, true},
		{"form body", BasePath + "/v25.0/111/messages", "wa-token", "application/x-www-form-urlencoded", waText, 400, 100, true},
		{"four buttons", BasePath + "/v25.0/111/messages", "wa-token", "application/json", buttons(4, "B"), 400, 100, true},
		{"button title over 20", BasePath + "/v25.0/111/messages", "wa-token", "application/json", buttons(1, strings.Repeat("t", 20)), 400, 100, true},
		{"eleven rows", BasePath + "/v25.0/111/messages", "wa-token", "application/json", list(11), 400, 100, true},
		{"text over 4096", BasePath + "/v25.0/111/messages", "wa-token", "application/json", strings.Replace(waText, `"hi"`, `"`+strings.Repeat("a", 4097)+`"`, 1), 400, 100, true},
		{"no messaging_product", BasePath + "/v25.0/111/messages", "wa-token", "application/json", strings.Replace(waText, `"messaging_product":"whatsapp",`, "", 1), 400, 100, true},
		{"unknown field", BasePath + "/v25.0/111/messages", "wa-token", "application/json", strings.Replace(waText, `"to"`, `"recipient":"x","to"`, 1), 400, 100, true},
		{"fourteen quick replies", BasePath + "/v25.0/222/messages", "page-token", "application/json", quickReplies(14), 400, 100, true},
		{"tag without MESSAGE_TAG", BasePath + "/v25.0/222/messages", "page-token", "application/json", `{"recipient":{"id":"699"},"messaging_type":"RESPONSE","tag":"HUMAN_AGENT","message":{"text":"hi"}}`, 400, 100, true},
		{"MESSAGE_TAG without tag", BasePath + "/v25.0/222/messages", "page-token", "application/json", `{"recipient":{"id":"699"},"messaging_type":"MESSAGE_TAG","message":{"text":"hi"}}`, 400, 100, true},
		{"no messaging_type", BasePath + "/v25.0/222/messages", "page-token", "application/json", `{"recipient":{"id":"699"},"message":{"text":"hi"}}`, 400, 100, true},
		{"private reply needs no messaging_type", BasePath + "/v25.0/222/messages", "page-token", "application/json", `{"recipient":{"comment_id":"1_2"},"message":{"text":"hi"}}`, 200, 0, false},
		{"document by an id never uploaded", BasePath + "/v25.0/111/messages", "wa-token", "application/json", `{"messaging_product":"whatsapp","to":"1","type":"document","document":{"id":"999","filename":"a.pdf"}}`, 400, 100, true},
		{"document with id and link", BasePath + "/v25.0/111/messages", "wa-token", "application/json", `{"messaging_product":"whatsapp","to":"1","type":"document","document":{"id":"1","link":"https://x/a.pdf"}}`, 400, 100, true},
		{"audio with a caption", BasePath + "/v25.0/111/messages", "wa-token", "application/json", `{"messaging_product":"whatsapp","to":"1","type":"audio","audio":{"link":"https://x/a.mp3","caption":"hi"}}`, 400, 100, true},
		{"image with a filename", BasePath + "/v25.0/111/messages", "wa-token", "application/json", `{"messaging_product":"whatsapp","to":"1","type":"image","image":{"link":"https://x/a.jpg","filename":"a.jpg"}}`, 400, 100, true},
		{"instagram text over 1000", BasePath + "/v25.0/333/messages", "ig-token", "application/json", strings.Replace(fbText, `"hi"`, `"`+strings.Repeat("a", 1001)+`"`, 1), 400, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recTB{TB: t}
			s := New(rec, accounts)
			resp, body := post(t, s, tt.path, tt.token, tt.ct, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", resp.StatusCode, tt.wantStatus, body)
			}
			if got := len(rec.errors()) > 0; got != tt.violation {
				t.Errorf("flagged a violation = %v (%v), want %v", got, rec.errors(), tt.violation)
			}
			if tt.wantStatus == 200 {
				return
			}
			var e graphErr
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != tt.wantCode || e.Error.Message == "" || e.Error.Type == "" || e.Error.FBTraceID == "" {
				t.Errorf("error body = %s, want a Graph error with code %d", body, tt.wantCode)
			}
		})
	}
}

func TestServerAnswersAndFailures(t *testing.T) {
	t.Parallel()
	s := New(t, accounts)
	s.FailNext(RateLimited("7"), WindowClosed)

	resp, _ := post(t, s, BasePath+"/v25.0/111/messages", "wa-token", "application/json", waText)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("first = %d Retry-After %q, want 429 with Retry-After 7", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	resp, body := post(t, s, BasePath+"/v25.0/111/messages", "wa-token", "application/json", waText)
	var e graphErr
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != 400 || e.Error.Code != 131047 {
		t.Errorf("second = %d %s, want 400 code 131047", resp.StatusCode, body)
	}
	resp, body = post(t, s, BasePath+"/v25.0/111/messages", "wa-token", "application/json", waText)
	var wa struct {
		MessagingProduct string `json:"messaging_product"`
		Contacts         []struct {
			Input string `json:"input"`
			WaID  string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &wa); err != nil || resp.StatusCode != 200 || wa.MessagingProduct != "whatsapp" || len(wa.Contacts) != 1 || len(wa.Messages) != 1 || !strings.HasPrefix(wa.Messages[0].ID, "wamid.") {
		t.Errorf("third = %d %s, want a WhatsApp send answer", resp.StatusCode, body)
	}
	_, body = post(t, s, BasePath+"/v25.0/222/messages", "page-token", "application/json", fbText)
	var fb struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := json.Unmarshal(body, &fb); err != nil || fb.RecipientID != "699" || !strings.HasPrefix(fb.MessageID, "m_") {
		t.Errorf("messenger answer = %s, want recipient_id and message_id", body)
	}
	reqs := s.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests recorded, want 4", len(reqs))
	}
	if r := reqs[3]; r.Surface != "messenger" || r.Account != "222" || r.Token != "page-token" || r.Version != "v25.0" || r.JSON["messaging_type"] != "RESPONSE" {
		t.Errorf("recorded %+v, want the Messenger request", r)
	}
}

// multipartPost posts fields and one file part.
func multipartPost(t *testing.T, s *Server, path, token string, fields map[string]string, fileField, name, mimeType string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+fileField+`"; filename="`+name+`"`)
	h.Set("Content-Type", mimeType)
	p, _ := w.CreatePart(h)
	_, _ = p.Write(data)
	_ = w.Close()
	return post(t, s, path, token, w.FormDataContentType(), b.String())
}

func TestServerMedia(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.7 ...")
	tests := []struct {
		name      string
		fields    map[string]string
		mime      string
		data      []byte
		status    int
		violation bool
	}{
		{"pdf upload", map[string]string{"messaging_product": "whatsapp", "type": "application/pdf"}, "application/pdf", pdf, 200, false},
		{"type differs from the file", map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, "application/pdf", pdf, 400, true},
		{"no messaging_product", map[string]string{"type": "application/pdf"}, "application/pdf", pdf, 400, true},
		{"unsupported type", map[string]string{"messaging_product": "whatsapp", "type": "application/zip"}, "application/zip", pdf, 400, true},
		{"image over 5 MB", map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, "image/png", make([]byte, 5<<20+1), 400, true},
	}
	for _, tt := range tests {
		rec := &recTB{TB: t}
		s := New(rec, accounts)
		resp, body := multipartPost(t, s, BasePath+"/v25.0/111/media", "wa-token", tt.fields, "file", "a", tt.mime, tt.data)
		if resp.StatusCode != tt.status || (len(rec.errors()) > 0) != tt.violation {
			t.Errorf("%s: status %d (%s), violations %v; want %d, violation %v", tt.name, resp.StatusCode, body, rec.errors(), tt.status, tt.violation)
		}
	}

	// Customer media: the lookup and the download need the owner's token.
	rec := &recTB{TB: t}
	s := New(rec, accounts)
	id := s.AddMedia("111", "image/jpeg", "", []byte("\xff\xd8\xff"))
	get := func(path, token string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := get(BasePath+"/v25.0/"+id+"?phone_number_id=111", "page-token"); code != 401 {
		t.Errorf("lookup with another token: %d, want 401", code)
	}
	code, body := get(BasePath+"/v25.0/"+id+"?phone_number_id=111", "wa-token")
	var meta struct {
		URL  string `json:"url"`
		MIME string `json:"mime_type"`
	}
	if code != 200 || json.Unmarshal(body, &meta) != nil || meta.MIME != "image/jpeg" {
		t.Fatalf("lookup: %d %s", code, body)
	}
	path := strings.TrimPrefix(meta.URL, s.srv.URL)
	if code, _ := get(path, ""); code != 404 || len(rec.errors()) != 1 {
		t.Errorf("download without the token: %d, violations %v; want 404 and a flagged violation", code, rec.errors())
	}
	if code, b := get(path, "wa-token"); code != 200 || string(b) != "\xff\xd8\xff" {
		t.Errorf("download: %d %q", code, b)
	}
}
