package graph_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/retry"
)

const (
	phoneID = "106540352242922"
	pageID  = "1067280970047460"
	igID    = "17841405309211844"
	waToken = "wa-token"
	pgToken = "page-token"
	igToken = "ig-token"
)

// sleepLog records the waits between attempts.
type sleepLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// testBackoff is the first backoff in tests: the waits double from it, each within ±50 %.
const testBackoff = 10 * time.Millisecond

// transport is the Graph transport of the tests: the waits are recorded in sl, or short and
// real without sl.
func transport(doer graph.Doer, sl *sleepLog) *graph.Transport {
	t := &graph.Transport{HTTP: doer, Retry: retry.Policy{BaseBackoff: testBackoff, MaxBackoff: 2 * time.Second}}
	if sl != nil {
		t.Retry.Sleep = sl.sleep
	}
	return t
}

// sameWaits compares waits with want, where a want under a second is a backoff (the actual
// wait is within ±50 %) and a longer one an exact Retry-After.
func sameWaits(got, want []time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if want[i] >= time.Second && got[i] != want[i] {
			return false
		}
		if want[i] < time.Second && (got[i] < want[i]/2 || got[i] > want[i]*3/2) {
			return false
		}
	}
	return true
}

func newClient(t *testing.T) (*graph.Client, *graphtest.Server, *sleepLog) {
	t.Helper()
	srv := graphtest.New(t, graphtest.Accounts{
		WhatsApp:  map[string]string{phoneID: waToken},
		Pages:     map[string]string{pageID: pgToken},
		Instagram: map[string]string{igID: igToken},
	})
	sl := &sleepLog{}
	c, err := graph.New(graph.Config{
		BaseURL:           srv.URL(),
		Transport:         transport(srv.Client(), sl),
		Tokens:            graph.Tokens{WhatsApp: waToken, Page: pgToken, Instagram: igToken},
		InstagramAccounts: []string{igID},
		Now:               func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, sl
}

func TestSendWhatsAppText(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "16505551234"}
	id, err := c.Send(context.Background(), key, channel.Reply{Text: "Yes, in blue and red."})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !strings.HasPrefix(id, "wamid.") {
		t.Errorf("id = %q, want a wamid", id)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v25.0/"+phoneID+"/messages" || r.Token != waToken {
		t.Errorf("path %s token %s, want /v25.0/%s/messages with the WhatsApp token", r.Path, r.Token, phoneID)
	}
	want := map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "text",
		"text": map[string]any{"body": "Yes, in blue and red.", "preview_url": false},
	}
	if diff := cmp.Diff(want, r.JSON); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

func TestSendRetriesThenWindowClosed(t *testing.T) {
	t.Parallel()
	c, srv, sl := newClient(t)
	srv.FailNext(graphtest.ServerError, graphtest.RateLimited("1"), graphtest.WindowClosed)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "16505551234"}
	_, err := c.Send(context.Background(), key, channel.Reply{Text: "hi"})
	if !errors.Is(err, graph.ErrWindowClosed) {
		t.Fatalf("Send = %v, want ErrWindowClosed", err)
	}
	var ae *graph.APIError
	if !errors.As(err, &ae) || ae.Code != 131047 || ae.FBTraceID == "" {
		t.Errorf("APIError = %+v, want code 131047 with a trace id", ae)
	}
	if !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("kind = %v, want forbidden", apperr.KindOf(err))
	}
	if got := len(srv.Requests()); got != 3 {
		t.Errorf("%d requests, want 3 (no retry after 131047)", got)
	}
	if want := []time.Duration{testBackoff, time.Second}; !sameWaits(sl.waits, want) {
		t.Errorf("waits = %v, want %v", sl.waits, want)
	}
}

// Meta's refusal of a second private reply is a refusal for good: not retried, Forbidden.
func TestPrivateReplySpentAtMeta(t *testing.T) {
	t.Parallel()
	c, srv, sl := newClient(t)
	srv.SpendPrivateReply("122_789")
	key := channel.Key{Surface: channel.Comment, Account: pageID, User: "7123456789012345"}
	_, err := c.Send(context.Background(), key, channel.Reply{Text: "Details in your inbox", CommentID: "122_789"})
	if !errors.Is(err, graph.ErrAlreadyReplied) || !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("Send = %v (kind %v), want ErrAlreadyReplied, forbidden", err, apperr.KindOf(err))
	}
	if got := len(srv.Requests()); got != 1 || len(sl.waits) != 0 {
		t.Errorf("%d requests, waits %v: want 1 request, no retry", got, sl.waits)
	}
}

// An error's text is safe for a log: no message text Meta quotes, no customer number, no
// token, no URL.
func TestErrorTextIsPrivate(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	const customer = "16505551234"
	srv.FailNext(graphtest.Failure{Status: 400, Code: 100, Message: "(#100) Invalid parameter: to " + customer + " text 'my secret order'"})
	_, err := c.Send(context.Background(), channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: customer}, channel.Reply{Text: "my secret order"})
	if err == nil {
		t.Fatal("Send succeeded")
	}
	for _, leak := range []string{customer, "secret", waToken, phoneID, "http"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error %q holds %q", err, leak)
		}
	}
	var ae *graph.APIError
	if !errors.As(err, &ae) || ae.Code != 100 || !strings.Contains(ae.Message, "Invalid parameter") {
		t.Errorf("APIError = %+v, want code 100 with Meta's message kept in the field", ae)
	}
}
