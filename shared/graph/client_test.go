package graph_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
)

const (
	phoneID = "106540352242922"
	pageID  = "1067280970047460"
	igID    = "17841405309211844"
	waToken = "wa-token"
	pgToken = "page-token"
	igToken = "ig-token"
)

type sleepLog struct{ waits []time.Duration }

func (s *sleepLog) sleep(_ context.Context, d time.Duration) error {
	s.waits = append(s.waits, d)
	return nil
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
		HTTP:              srv.Client(),
		Tokens:            graph.Tokens{WhatsApp: waToken, Page: pgToken, Instagram: igToken},
		InstagramAccounts: []string{igID},
		Sleep:             sl.sleep,
		Jitter:            func() float64 { return 0.5 },
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
	srv.FailNext(graphtest.ServerError, graphtest.RateLimited("2"), graphtest.WindowClosed)
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
	if want := []time.Duration{250 * time.Millisecond, 2 * time.Second}; !cmp.Equal(sl.waits, want) {
		t.Errorf("waits = %v, want %v", sl.waits, want)
	}
}
