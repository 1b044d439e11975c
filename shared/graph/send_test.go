package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
)

var (
	waKey = channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "16505551234"}
	fbKey = channel.Key{Surface: channel.Messenger, Account: pageID, User: "6990125541061880"}
	igKey = channel.Key{Surface: channel.Instagram, Account: igID, User: "1284392018834727"}
)

func options(n int) []channel.Option {
	var o []channel.Option
	for i := range n {
		o = append(o, channel.Option{ID: fmt.Sprintf("faq:%d", i), Title: fmt.Sprintf("Topic %d", i)})
	}
	return o
}

// TestSendShapes sends each message shape to the strict fake and compares the body.
func TestSendShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		key       channel.Key
		reply     channel.Reply
		wantToken string
		wantPath  string
		want      map[string]any
	}{
		{"whatsapp text quoting", waKey, channel.Reply{Text: "hi", ReplyTo: "wamid.IN"}, waToken, "/v25.0/" + phoneID + "/messages", map[string]any{
			"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text",
			"context": map[string]any{"message_id": "wamid.IN"},
			"text":    map[string]any{"body": "hi", "preview_url": false},
		}},
		{"whatsapp buttons", waKey, channel.Reply{Text: "Which topic?", Options: []channel.Option{{ID: "a", Title: "Shipping"}, {ID: "b", Title: "Returns and refunds policy"}, {ID: "c", Title: "Person"}}}, waToken, "/v25.0/" + phoneID + "/messages", map[string]any{
			"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "interactive",
			"interactive": map[string]any{"type": "button", "body": map[string]any{"text": "Which topic?"}, "action": map[string]any{"buttons": []any{
				map[string]any{"type": "reply", "reply": map[string]any{"id": "a", "title": "Shipping"}},
				map[string]any{"type": "reply", "reply": map[string]any{"id": "b", "title": "Returns and refunds…"}},
				map[string]any{"type": "reply", "reply": map[string]any{"id": "c", "title": "Person"}},
			}}},
		}},
		{"whatsapp list", waKey, channel.Reply{Text: "Pick one", Menu: "Topics", Options: []channel.Option{{ID: "a", Title: "A", Description: "first"}, {ID: "b", Title: "B"}, {ID: "c", Title: "C"}, {ID: "d", Title: "D"}}}, waToken, "/v25.0/" + phoneID + "/messages", map[string]any{
			"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "interactive",
			"interactive": map[string]any{"type": "list", "body": map[string]any{"text": "Pick one"}, "action": map[string]any{"button": "Topics", "sections": []any{
				map[string]any{"rows": []any{
					map[string]any{"id": "a", "title": "A", "description": "first"},
					map[string]any{"id": "b", "title": "B"}, map[string]any{"id": "c", "title": "C"}, map[string]any{"id": "d", "title": "D"},
				}},
			}}},
		}},
		{"whatsapp template", waKey, channel.Reply{Template: &channel.Template{Name: "agent_replied", Language: "de", Params: []string{"Maria"}}}, waToken, "/v25.0/" + phoneID + "/messages", map[string]any{
			"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "template",
			"template": map[string]any{"name": "agent_replied", "language": map[string]any{"code": "de"}, "components": []any{
				map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "Maria"}}},
			}},
		}},
		{"messenger response with quick replies", fbKey, channel.Reply{Text: "Which topic?", Options: options(2)}, pgToken, "/v25.0/" + pageID + "/messages", map[string]any{
			"recipient": map[string]any{"id": "6990125541061880"}, "messaging_type": "RESPONSE",
			"message": map[string]any{"text": "Which topic?", "quick_replies": []any{
				map[string]any{"content_type": "text", "title": "Topic 0", "payload": "faq:0"},
				map[string]any{"content_type": "text", "title": "Topic 1", "payload": "faq:1"},
			}},
		}},
		{"messenger human agent tag", fbKey, channel.Reply{Text: "Sorry for the wait", Tag: channel.TagHumanAgent, Human: true}, pgToken, "/v25.0/" + pageID + "/messages", map[string]any{
			"recipient": map[string]any{"id": "6990125541061880"}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
			"message": map[string]any{"text": "Sorry for the wait"},
		}},
		{"instagram text", igKey, channel.Reply{Text: "49 EUR"}, igToken, "/v25.0/" + igID + "/messages", map[string]any{
			"recipient": map[string]any{"id": "1284392018834727"}, "messaging_type": "RESPONSE", "message": map[string]any{"text": "49 EUR"},
		}},
		{"page comment private reply", channel.Key{Surface: channel.Comment, Account: pageID, User: "7123456789012345"}, channel.Reply{Text: "We sent you the details", CommentID: "122_456", Options: options(2)}, pgToken, "/v25.0/" + pageID + "/messages", map[string]any{
			"recipient": map[string]any{"comment_id": "122_456"}, "message": map[string]any{"text": "We sent you the details"},
		}},
		{"instagram comment private reply", channel.Key{Surface: channel.Comment, Account: igID, User: "1284392018834727"}, channel.Reply{Text: "DM sent", CommentID: "17865799348089039"}, igToken, "/v25.0/" + igID + "/messages", map[string]any{
			"recipient": map[string]any{"comment_id": "17865799348089039"}, "message": map[string]any{"text": "DM sent"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv, _ := newClient(t)
			id, err := c.Send(context.Background(), tt.key, tt.reply)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if id == "" {
				t.Error("message id is empty")
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if reqs[0].Path != tt.wantPath || reqs[0].Token != tt.wantToken {
				t.Errorf("path %s token %s, want %s %s", reqs[0].Path, reqs[0].Token, tt.wantPath, tt.wantToken)
			}
			if diff := cmp.Diff(tt.want, reqs[0].JSON); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendWhatsAppListOfTen(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	long := strings.Repeat("x", 30)
	opts := options(10)
	opts[0].Title, opts[0].Description = long, strings.Repeat("d", 80)
	if _, err := c.Send(context.Background(), waKey, channel.Reply{Text: "Pick", Options: opts}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	in := srv.Requests()[0].JSON["interactive"].(map[string]any)
	action := in["action"].(map[string]any)
	if action["button"] != graph.DefaultListLabel {
		t.Errorf("button = %v, want %q", action["button"], graph.DefaultListLabel)
	}
	rows := action["sections"].([]any)[0].(map[string]any)["rows"].([]any)
	if len(rows) != 10 {
		t.Errorf("%d rows, want 10", len(rows))
	}
	if got := rows[0].(map[string]any)["title"].(string); len([]rune(got)) != 24 || !strings.HasSuffix(got, "…") {
		t.Errorf("title = %q, want 24 characters ending in …", got)
	}
}

func TestSendRefusesLocally(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		key   channel.Key
		reply channel.Reply
	}{
		{"empty", waKey, channel.Reply{}},
		{"whatsapp text over 4096", waKey, channel.Reply{Text: strings.Repeat("a", 4097)}},
		{"whatsapp 11 options", waKey, channel.Reply{Text: "x", Options: options(11)}},
		{"whatsapp options without text", waKey, channel.Reply{Options: options(2)}},
		{"whatsapp option without id", waKey, channel.Reply{Text: "x", Options: []channel.Option{{Title: "t"}}}},
		{"whatsapp template without name", waKey, channel.Reply{Template: &channel.Template{}}},
		{"messenger text over 2000", fbKey, channel.Reply{Text: strings.Repeat("a", 2001)}},
		{"instagram text over 1000", igKey, channel.Reply{Text: strings.Repeat("a", 1001)}},
		{"messenger 14 quick replies", fbKey, channel.Reply{Text: "x", Options: options(14)}},
		{"messenger template", fbKey, channel.Reply{Text: "x", Template: &channel.Template{Name: "t"}}},
		{"comment without comment id", channel.Key{Surface: channel.Comment, Account: pageID, User: "1"}, channel.Reply{Text: "x"}},
		{"unknown surface", channel.Key{Surface: "sms", Account: "1", User: "2"}, channel.Reply{Text: "x"}},
		{"no account", channel.Key{Surface: channel.WhatsApp, User: "2"}, channel.Reply{Text: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv, _ := newClient(t)
			_, err := c.Send(context.Background(), tt.key, tt.reply)
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("Send = %v, want an Invalid error", err)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
		})
	}
}

// TestSendErrors maps Graph failures to sentinels, kinds and retry counts.
func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		key       channel.Key
		fail      []graphtest.Failure
		sentinel  error
		kind      apperr.Kind
		requests  int
		waits     []time.Duration
		wantOK    bool
		wantCode  int
		wantTrace bool
	}{
		{"500 then ok", waKey, []graphtest.Failure{graphtest.ServerError}, nil, 0, 2, []time.Duration{testBackoff}, true, 0, false},
		{"exponential backoff", waKey, []graphtest.Failure{graphtest.ServerError, graphtest.Unavailable, graphtest.ServerError}, nil, 0, 4, []time.Duration{testBackoff, 2 * testBackoff, 4 * testBackoff}, true, 0, false},
		{"retries run out", waKey, []graphtest.Failure{graphtest.ServerError, graphtest.ServerError, graphtest.ServerError, graphtest.ServerError}, nil, apperr.Transient, 4, []time.Duration{testBackoff, 2 * testBackoff, 4 * testBackoff}, false, 2, true},
		{"429 honours Retry-After", fbKey, []graphtest.Failure{graphtest.RateLimited("1")}, nil, 0, 2, []time.Duration{time.Second}, true, 0, false},
		{"429 Retry-After beyond the cap", fbKey, []graphtest.Failure{graphtest.RateLimited("120")}, graph.ErrRateLimited, apperr.Transient, 1, nil, false, 4, true},
		{"429 without Retry-After backs off", fbKey, []graphtest.Failure{graphtest.RateLimited("")}, nil, 0, 2, []time.Duration{testBackoff}, true, 0, false},
		{"whatsapp window closed, no retry", waKey, []graphtest.Failure{graphtest.WindowClosed}, graph.ErrWindowClosed, apperr.Forbidden, 1, nil, false, 131047, true},
		{"messenger window closed", fbKey, []graphtest.Failure{graphtest.MessengerWindowClosed}, graph.ErrWindowClosed, apperr.Forbidden, 1, nil, false, 10, true},
		{"marketing stopped", waKey, []graphtest.Failure{graphtest.MarketingStopped}, graph.ErrMarketingStopped, apperr.Forbidden, 1, nil, false, 131050, true},
		{"user unavailable", igKey, []graphtest.Failure{graphtest.UserUnavailable}, graph.ErrUserUnavailable, apperr.Forbidden, 1, nil, false, 551, true},
		{"token invalid", fbKey, []graphtest.Failure{graphtest.TokenInvalid}, graph.ErrTokenInvalid, apperr.Internal, 1, nil, false, 190, true},
		{"policy error on a 500 is not retried", waKey, []graphtest.Failure{{Status: 500, Code: 131047, Message: "(#131047) Re-engagement message"}}, graph.ErrWindowClosed, apperr.Forbidden, 1, nil, false, 131047, true},
		{"invalid parameter", waKey, []graphtest.Failure{{Status: 400, Code: 100, Message: "(#100) Invalid parameter"}}, nil, apperr.Invalid, 1, nil, false, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, srv, sl := newClient(t)
			srv.FailNext(tt.fail...)
			id, err := c.Send(context.Background(), tt.key, channel.Reply{Text: "hello"})
			if tt.wantOK {
				if err != nil || id == "" {
					t.Fatalf("Send = %q, %v; want a message id", id, err)
				}
			} else {
				if err == nil {
					t.Fatal("Send succeeded, want an error")
				}
				if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
					t.Errorf("Send = %v, want errors.Is %v", err, tt.sentinel)
				}
				if got := apperr.KindOf(err); got != tt.kind {
					t.Errorf("kind = %v, want %v", got, tt.kind)
				}
				var ae *graph.APIError
				if !errors.As(err, &ae) {
					t.Fatalf("no *graph.APIError in %v", err)
				}
				if ae.Code != tt.wantCode || (tt.wantTrace && ae.FBTraceID == "") || ae.Status == 0 || ae.Message == "" {
					t.Errorf("APIError = %+v, want code %d with status, message and trace id", ae, tt.wantCode)
				}
				for _, other := range []error{graph.ErrWindowClosed, graph.ErrMarketingStopped, graph.ErrUserUnavailable, graph.ErrTokenInvalid} {
					if other != tt.sentinel && errors.Is(err, other) {
						t.Errorf("Send = %v also matches %v", err, other)
					}
				}
			}
			if got := len(srv.Requests()); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			if !sameWaits(sl.waits, tt.waits) {
				t.Errorf("waits = %v, want %v", sl.waits, tt.waits)
			}
		})
	}
}

func TestSendStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	srv := graphtest.New(t, graphtest.Accounts{WhatsApp: map[string]string{phoneID: waToken}})
	ctx, cancel := context.WithCancel(context.Background())
	tr := transport(srv.Client(), nil)
	tr.Retry.OnRetry = func(error, time.Duration) { cancel() }
	c, err := graph.New(graph.Config{BaseURL: srv.URL(), Transport: tr, Tokens: graph.Tokens{WhatsApp: waToken}})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(graphtest.ServerError, graphtest.ServerError)
	_, err = c.Send(ctx, waKey, channel.Reply{Text: "x"})
	if !errors.Is(err, context.Canceled) || !apperr.Is(err, apperr.Transient) {
		t.Errorf("Send = %v, want a transient error wrapping context.Canceled", err)
	}
	if got := len(srv.Requests()); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// TestSendNetworkErrors retries only failures where the request cannot have reached Meta.
func TestSendNetworkErrors(t *testing.T) {
	t.Parallel()
	srv := graphtest.New(t, graphtest.Accounts{WhatsApp: map[string]string{phoneID: waToken}})
	tests := []struct {
		name     string
		err      error
		requests int
		ok       bool
	}{
		{"dial error is retried", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, 1, true},
		{"timeout is not retried", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout")}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			doer := doerFunc(func(r *http.Request) (*http.Response, error) {
				calls++
				if calls == 1 {
					return nil, tt.err
				}
				return srv.Client().Do(r)
			})
			c, err := graph.New(graph.Config{BaseURL: srv.URL(), Transport: transport(doer, nil), Tokens: graph.Tokens{WhatsApp: waToken}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Send(context.Background(), waKey, channel.Reply{Text: "x"})
			if tt.ok != (err == nil) {
				t.Fatalf("Send = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok && !apperr.Is(err, apperr.Transient) {
				t.Errorf("kind = %v, want transient", apperr.KindOf(err))
			}
			if calls != tt.requests+1 {
				t.Errorf("%d calls, want %d", calls, tt.requests+1)
			}
		})
	}
}

func TestPrivateReplyOncePerComment(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	key := channel.Key{Surface: channel.Comment, Account: pageID, User: "7123456789012345"}
	r := channel.Reply{Text: "Details in your inbox", CommentID: "122_456"}

	srv.FailNext(graphtest.Failure{Status: 400, Code: 100, Message: "(#100) Invalid parameter"})
	if _, err := c.Send(context.Background(), key, r); err == nil {
		t.Fatal("first send succeeded, want the injected failure")
	}
	if _, err := c.Send(context.Background(), key, r); err != nil {
		t.Fatalf("send after a failure: %v (a failed reply must not use up the comment)", err)
	}
	_, err := c.Send(context.Background(), key, r)
	if !errors.Is(err, graph.ErrAlreadyReplied) || !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("second reply = %v, want ErrAlreadyReplied (forbidden: a refusal for good)", err)
	}
	if got := len(srv.Requests()); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

func TestSendWithoutToken(t *testing.T) {
	t.Parallel()
	srv := graphtest.New(t, graphtest.Accounts{Pages: map[string]string{pageID: pgToken}})
	c, err := graph.New(graph.Config{BaseURL: srv.URL(), Transport: transport(srv.Client(), nil), Tokens: graph.Tokens{WhatsApp: waToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), fbKey, channel.Reply{Text: "x"}); err == nil {
		t.Error("Send without a Page token succeeded")
	}
	if got := len(srv.Requests()); got != 0 {
		t.Errorf("%d requests, want 0", got)
	}
}

func TestInstagramFallsBackToPageToken(t *testing.T) {
	t.Parallel()
	srv := graphtest.New(t, graphtest.Accounts{Instagram: map[string]string{igID: pgToken}})
	c, err := graph.New(graph.Config{BaseURL: srv.URL(), Transport: transport(srv.Client(), nil), Tokens: graph.Tokens{Page: pgToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), igKey, channel.Reply{Text: "x"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Requests()[0].Token; got != pgToken {
		t.Errorf("token = %q, want the Page token (Facebook Login)", got)
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"graph.facebook.com", "ftp://x", "://"} {
		if _, err := graph.New(graph.Config{BaseURL: u}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("New(%q) = %v, want Invalid", u, err)
		}
	}
}

func TestConfiguredVersion(t *testing.T) {
	t.Parallel()
	srv := graphtest.New(t, graphtest.Accounts{WhatsApp: map[string]string{phoneID: waToken}})
	c, err := graph.New(graph.Config{BaseURL: srv.URL() + "/", Version: "v23.0", Transport: transport(srv.Client(), nil), Tokens: graph.Tokens{WhatsApp: waToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), waKey, channel.Reply{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[0].Version; got != "v23.0" {
		t.Errorf("version = %s, want v23.0", got)
	}
}
