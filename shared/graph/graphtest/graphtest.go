package graphtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// BasePath prefixes every route, so a client that drops the base URL's path fails.
const BasePath = "/graph-fake"

// Accounts maps account ids to their access tokens, per surface.
type Accounts struct {
	// WhatsApp: phone number id -> token.
	WhatsApp map[string]string
	// Pages: Page id -> Page token (Messenger and Page comment private replies).
	Pages map[string]string
	// Instagram: Instagram professional account id -> token (messages and comment replies).
	Instagram map[string]string
}

// Request is one request the fake received.
type Request struct {
	Method  string
	Path    string // without BasePath, e.g. /v25.0/123/messages
	Version string
	Account string
	Surface string // "whatsapp", "messenger" or "instagram"
	Token   string
	Body    []byte
	// JSON is Body decoded into a generic map, for assertions (a multipart body's fields, with
	// JSON-valued fields decoded).
	JSON map[string]any
	// Upload is the file part of a multipart request.
	Upload *Upload
}

// Failure is an error answer the fake gives instead of handling a request.
type Failure struct {
	Status     int
	Code       int
	Subcode    int
	Type       string
	Message    string
	RetryAfter string // Retry-After header value, if any
}

// Common failures.
var (
	ServerError  = Failure{Status: 500, Code: 2, Type: "OAuthException", Message: "An unexpected error has occurred. Please retry your request later."}
	Unavailable  = Failure{Status: 503, Code: 2, Type: "OAuthException", Message: "Service temporarily unavailable"}
	WindowClosed = Failure{Status: 400, Code: 131047, Type: "OAuthException", Message: "(#131047) Re-engagement message"}
	// MessengerWindowClosed is code 10, subcode 2018278.
	MessengerWindowClosed = Failure{Status: 400, Code: 10, Subcode: 2018278, Type: "OAuthException", Message: "(#10) This message is sent outside of allowed window."}
	MarketingStopped      = Failure{Status: 400, Code: 131050, Type: "OAuthException", Message: "(#131050) Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business"}
	UserUnavailable       = Failure{Status: 400, Code: 551, Subcode: 1545041, Type: "OAuthException", Message: "(#551) This person isn't available right now."}
	TokenInvalid          = Failure{Status: 401, Code: 190, Subcode: 463, Type: "OAuthException", Message: "Error validating access token: Session has expired."}
	// AlreadyReplied is Meta's answer to a second private reply to one comment.
	AlreadyReplied = Failure{Status: 400, Code: 10900, Type: "OAuthException", Message: "(#10900) Activity already replied to"}
)

// RateLimited is a 429 with Retry-After in seconds (empty for none).
func RateLimited(retryAfter string) Failure {
	return Failure{Status: 429, Code: 4, Type: "OAuthException", Message: "(#4) Application request limit reached", RetryAfter: retryAfter}
}

// Server is the fake.
type Server struct {
	t        testing.TB
	srv      *httptest.Server
	accounts Accounts

	mu       sync.Mutex
	requests []Request
	failures []Failure
	seq      int
	store    map[string]*Media
	// replied holds the comments whose one private reply is spent.
	replied map[string]bool
	delay   time.Duration
}

// New starts a fake for the accounts and stops it when the test ends.
func New(t testing.TB, accounts Accounts) *Server {
	t.Helper()
	s := &Server{t: t, accounts: accounts, replied: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL to configure the client with (it includes BasePath).
func (s *Server) URL() string { return s.srv.URL + BasePath }

// Client is an *http.Client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// FailNext queues failures: each following request is answered with the next one, in order,
// after its method, path and token were checked. The request is recorded.
func (s *Server) FailNext(f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f...)
}

// SpendPrivateReply marks the private reply of comment as sent (by someone else, say a person
// in Meta Business Suite): a private reply to it is answered AlreadyReplied, as Meta answers
// every second private reply to a comment.
func (s *Server) SpendPrivateReply(comment string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replied[comment] = true
}

// SetDelay makes the fake answer each following request after d, or when the request's
// context ends, whichever is first (a slow Graph API); 0 answers at once.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

var pathRE = regexp.MustCompile(`^/(v\d+\.\d+)/([^/]+)/messages$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok {
		s.t.Errorf("graphtest: request %s %s misses the base path %s", r.Method, r.URL.Path, BasePath)
		writeError(w, Failure{Status: 404, Code: 803, Type: "OAuthException", Message: "Unknown path components"})
		return
	}
	if s.serveMedia(w, r, rest) {
		return
	}
	m := pathRE.FindStringSubmatch(rest)
	if m == nil {
		s.t.Errorf("graphtest: unexpected path %s", rest)
		writeError(w, Failure{Status: 400, Code: 2500, Type: "OAuthException", Message: "Unknown path components: " + rest})
		return
	}
	if r.Method != http.MethodPost {
		s.t.Errorf("graphtest: method = %s, want POST", r.Method)
		writeError(w, Failure{Status: 400, Code: 100, Type: "GraphMethodException", Message: "Unsupported get request."})
		return
	}
	req := Request{Method: r.Method, Path: rest, Version: m[1], Account: m[2]}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	req.Token = token
	multipartBody := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	var body []byte
	var mpErr error
	if multipartBody {
		req.JSON, req.Upload, _, mpErr = readMultipart(r, "filedata")
	} else {
		body, _ = io.ReadAll(r.Body)
		req.Body = body
		_ = json.Unmarshal(body, &req.JSON)
	}

	var want string
	switch {
	case s.accounts.WhatsApp[req.Account] != "":
		req.Surface, want = "whatsapp", s.accounts.WhatsApp[req.Account]
	case s.accounts.Pages[req.Account] != "":
		req.Surface, want = "messenger", s.accounts.Pages[req.Account]
	case s.accounts.Instagram[req.Account] != "":
		req.Surface, want = "instagram", s.accounts.Instagram[req.Account]
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.seq++
	seq := s.seq
	delay := s.delay
	var fail *Failure
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		fail = &f
	}
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client gave up: nobody reads an answer
		}
	}

	switch {
	case req.Surface == "":
		writeError(w, Failure{Status: 400, Code: 100, Subcode: 33, Type: "GraphMethodException",
			Message: fmt.Sprintf("Unsupported post request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", req.Account)})
		return
	case r.Header.Get("Authorization") == "":
		writeError(w, Failure{Status: 400, Code: 2500, Type: "OAuthException", Message: "An active access token must be used to query information about the current user."})
		return
	case token != want:
		writeError(w, TokenInvalid)
		return
	}
	if multipartBody && req.Surface != "whatsapp" {
		var problems []string
		if mpErr != nil {
			problems = []string{"multipart body: " + mpErr.Error()}
		} else {
			problems = checkAttachment(req.Surface, req.JSON, req.Upload)
		}
		if len(problems) > 0 {
			s.t.Errorf("graphtest: %s attachment: %s", req.Surface, strings.Join(problems, "; "))
			writeError(w, Failure{Status: 400, Code: 100, Type: "OAuthException", Message: "(#100) Invalid parameter: " + problems[0]})
			return
		}
		if fail != nil {
			writeError(w, *fail)
			return
		}
		rcpt, _ := req.JSON["recipient"].(map[string]any)
		id, _ := rcpt["id"].(string)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"recipient_id":%q,"message_id":"m_FAKE%06d","attachment_id":"%d"}`, id, seq, 3000000+seq)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.t.Errorf("graphtest: Content-Type = %q, want application/json", ct)
		writeError(w, Failure{Status: 400, Code: 100, Type: "OAuthException", Message: "(#100) Invalid Content-Type"})
		return
	}
	var problems []string
	if req.Surface == "whatsapp" {
		problems = checkWhatsApp(body)
		if len(problems) == 0 {
			problems = s.checkWhatsAppMedia(req.Account, body)
		}
	} else {
		problems = checkSendAPI(req.Surface, body)
	}
	if len(problems) > 0 {
		s.t.Errorf("graphtest: %s body %s: %s", req.Surface, body, strings.Join(problems, "; "))
		writeError(w, Failure{Status: 400, Code: 100, Type: "OAuthException", Message: "(#100) Invalid parameter: " + problems[0]})
		return
	}
	if fail != nil {
		writeError(w, *fail)
		return
	}
	var rcpt struct {
		Recipient struct {
			ID        string `json:"id"`
			CommentID string `json:"comment_id"`
		} `json:"recipient"`
	}
	_ = json.Unmarshal(body, &rcpt)
	if c := rcpt.Recipient.CommentID; c != "" {
		s.mu.Lock()
		spent := s.replied[c]
		s.replied[c] = true
		s.mu.Unlock()
		if spent {
			writeError(w, AlreadyReplied)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if req.Surface == "whatsapp" {
		var to struct {
			To string `json:"to"`
		}
		_ = json.Unmarshal(body, &to)
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.FAKE%06d","message_status":"accepted"}]}`, to.To, to.To, seq)
		return
	}
	fmt.Fprintf(w, `{"recipient_id":%q,"message_id":"m_FAKE%06d"}`, rcpt.Recipient.ID, seq)
}

func writeError(w http.ResponseWriter, f Failure) {
	typ := f.Type
	if typ == "" {
		typ = "OAuthException"
	}
	e := map[string]any{"message": f.Message, "type": typ, "code": f.Code, "fbtrace_id": "AFakeTrace123"}
	if f.Subcode != 0 {
		e["error_subcode"] = f.Subcode
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_request"`)
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.WriteHeader(f.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func decodeStrict(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func runes(s string) int { return utf8.RuneCountInString(s) }
