// Package capitest is a strict fake of the Conversions API for business messaging, for tests:
// an httptest server that checks method, path (under a non-empty base path), the bearer token,
// the body's shape, action_source, messaging_channel, the user_data keys of each channel and the
// event_time window, and answers like Graph, including its error bodies and 429s.
package capitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BasePath prefixes every path the server answers, so clients must honour a base URL's path.
const BasePath = "/graph"

// Dataset is one dataset the fake knows.
type Dataset struct {
	// Channel is the messaging_channel its events must carry: whatsapp, messenger, instagram.
	Channel string
	// BusinessID is the WABA, Page or Instagram account id the user_data must name.
	BusinessID string
	// Token is the access token that may post to it.
	Token string
}

// Event is an accepted event as received.
type Event struct {
	Dataset          string            `json:"-"`
	EventName        string            `json:"event_name"`
	EventTime        int64             `json:"event_time"`
	ActionSource     string            `json:"action_source"`
	MessagingChannel string            `json:"messaging_channel"`
	UserData         map[string]string `json:"user_data"`
	CustomData       map[string]any    `json:"custom_data,omitempty"`
}

// Server is the fake.
type Server struct {
	*httptest.Server
	Version  string
	Datasets map[string]Dataset
	Now      func() time.Time

	mu     sync.Mutex
	events []Event
	calls  int
	fail   []int
}

// New starts a fake for the Graph version with the datasets (by id); it stops at the end of
// the test.
func New(t testing.TB, version string, datasets map[string]Dataset, now func() time.Time) *Server {
	t.Helper()
	s := &Server{Version: version, Datasets: datasets, Now: now}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the URL to give the client as its Graph base.
func (s *Server) BaseURL() string { return s.URL + BasePath }

// Events returns the accepted events in order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// Calls returns how many requests arrived, accepted or not.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// FailNext makes the next requests fail with the statuses, in order (429 with Graph's
// throttling error, 5xx with a server error).
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, statuses...)
}

var eventNames = []string{"Purchase", "LeadSubmitted", "InitiateCheckout", "AddToCart", "ViewContent", "OrderCreated",
	"OrderShipped", "OrderDelivered", "OrderCanceled", "OrderReturned", "CartAbandoned", "QualifiedLead",
	"RatingProvided", "ReviewProvided"}

var userDataKeys = map[string][]string{
	"whatsapp":  {"ctwa_clid", "whatsapp_business_account_id"},
	"messenger": {"page_id", "page_scoped_user_id"},
	"instagram": {"ig_sid", "instagram_business_account_id"},
}

func graphError(w http.ResponseWriter, status int, typ string, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "code": code, "fbtrace_id": "AbCdEfFAKE"}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	var fail int
	if len(s.fail) > 0 {
		fail, s.fail = s.fail[0], s.fail[1:]
	}
	s.mu.Unlock()

	if r.Method != http.MethodPost {
		graphError(w, 400, "GraphMethodException", 100, "Unsupported "+r.Method+" request.")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, BasePath+"/"), "/")
	if !strings.HasPrefix(r.URL.Path, BasePath+"/") || len(parts) != 3 || parts[0] != s.Version || parts[2] != "events" {
		graphError(w, 400, "OAuthException", 2500, "Unknown path components: "+r.URL.Path)
		return
	}
	if r.URL.Query().Has("access_token") {
		graphError(w, 400, "OAuthException", 100, "fake: the client must send the token in the Authorization header")
		return
	}
	ds, ok := s.Datasets[parts[1]]
	token, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !hasBearer || token == "":
		graphError(w, 400, "OAuthException", 104, "An access token is required to request this resource.")
		return
	case !ok:
		graphError(w, 400, "GraphMethodException", 100, "Unsupported post request. Object with ID '"+parts[1]+"' does not exist")
		return
	case token != ds.Token:
		graphError(w, 401, "OAuthException", 190, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	switch {
	case fail == http.StatusTooManyRequests:
		graphError(w, fail, "OAuthException", 4, "Application request limit reached")
		return
	case fail >= 500:
		graphError(w, fail, "FacebookApiException", 2, "An unexpected error has occurred. Please retry your request later.")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		graphError(w, 400, "OAuthException", 100, "fake: Content-Type must be application/json, got "+ct)
		return
	}
	var body struct {
		Data          []json.RawMessage `json:"data"`
		PartnerAgent  string            `json:"partner_agent"`
		TestEventCode string            `json:"test_event_code"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || len(body.Data) == 0 {
		graphError(w, 400, "OAuthException", 100, "Invalid parameter: data")
		return
	}
	var accepted []Event
	for i, raw := range body.Data {
		ev, msg := s.check(raw, ds)
		if msg != "" {
			graphError(w, 400, "OAuthException", 100, fmt.Sprintf("Invalid parameter: data[%d]: %s", i, msg))
			return
		}
		ev.Dataset = parts[1]
		accepted = append(accepted, ev)
	}
	s.mu.Lock()
	s.events = append(s.events, accepted...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"events_received": len(accepted), "messages": []string{}, "fbtrace_id": "AbCdEfFAKE"})
}

// check validates one event; msg is empty when it is good.
func (s *Server) check(raw json.RawMessage, ds Dataset) (ev Event, msg string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return ev, "malformed event: " + err.Error()
	}
	now := s.Now()
	switch {
	case !slices.Contains(eventNames, ev.EventName):
		return ev, "event_name " + ev.EventName + " is not supported for business messaging"
	case ev.ActionSource != "business_messaging":
		return ev, "action_source must be business_messaging"
	case ev.MessagingChannel != ds.Channel:
		return ev, "messaging_channel " + ev.MessagingChannel + " does not match the dataset's " + ds.Channel
	case ev.EventTime == 0:
		return ev, "event_time is required"
	case time.Unix(ev.EventTime, 0).Before(now.Add(-7 * 24 * time.Hour)):
		return ev, "event_time is more than 7 days in the past"
	case time.Unix(ev.EventTime, 0).After(now.Add(time.Minute)):
		return ev, "event_time is in the future"
	}
	want := userDataKeys[ev.MessagingChannel]
	var got []string
	for k, v := range ev.UserData {
		if v == "" {
			return ev, "user_data." + k + " is empty"
		}
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return ev, fmt.Sprintf("user_data keys %v, want %v", got, want)
	}
	biz := map[string]string{"whatsapp": "whatsapp_business_account_id", "messenger": "page_id", "instagram": "instagram_business_account_id"}[ds.Channel]
	if ev.UserData[biz] != ds.BusinessID {
		return ev, biz + " does not own this dataset"
	}
	return ev, ""
}
