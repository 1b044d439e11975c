package slackapi

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

var update = flag.Bool("update", false, "re-sign events/slack/*.json with the current time")

// eventsDir holds the API Gateway v2 events for sam local invoke and the artifact tests.
const eventsDir = "../../events/slack"

type fixture struct {
	file, path, testdata string
	form                 bool // a form body (interactions, commands): API Gateway base64-encodes it
	interaction          bool
	wantStatus           int
	wantQueued           int
	wantBody             string // substring of the answer
}

var fixtures = []fixture{
	{file: "url_verification.json", path: "/slack/events", testdata: "url_verification.json", wantStatus: 200,
		wantBody: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
	{file: "thread_reply.json", path: "/slack/events", testdata: "event_thread_reply.json", wantStatus: 200, wantQueued: 1},
	{file: "interaction_claim.json", path: "/slack/interactions", testdata: "interaction_claim.json", form: true, interaction: true, wantStatus: 200, wantQueued: 1},
	{file: "slash_command.json", path: "/slack/commands", testdata: "command_open.form", form: true, wantStatus: 200, wantBody: "ephemeral"},
}

// gatewayEvent builds the API Gateway HTTP API (payload 2.0) event Slack's request becomes.
func gatewayEvent(t *testing.T, f fixture, at time.Time) events.APIGatewayV2HTTPRequest {
	t.Helper()
	body := readTestdata(t, f.testdata)
	if f.interaction {
		body = interactionBody(body)
	}
	ct := "application/json"
	if f.form {
		ct = "application/x-www-form-urlencoded"
	}
	stamp := strconv.FormatInt(at.Unix(), 10)
	ev := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST " + f.path,
		RawPath:  f.path,
		Headers: map[string]string{
			"accept":                    "application/json,*/*",
			"accept-encoding":           "gzip,deflate",
			"content-length":            strconv.Itoa(len(body)),
			"content-type":              ct,
			"host":                      "abc123def4.execute-api.eu-central-1.amazonaws.com",
			"user-agent":                "Slackbot 1.0 (+https://api.slack.com/robots)",
			"x-slack-request-timestamp": stamp,
			"x-slack-signature":         Sign(testSecret, at, body),
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:    "123456789012",
			APIID:        "abc123def4",
			DomainName:   "abc123def4.execute-api.eu-central-1.amazonaws.com",
			DomainPrefix: "abc123def4",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: http.MethodPost, Path: f.path, Protocol: "HTTP/1.1", SourceIP: "3.120.0.10",
				UserAgent: "Slackbot 1.0 (+https://api.slack.com/robots)",
			},
			RequestID: "Slack" + strings.TrimSuffix(f.file, ".json") + "=",
			RouteKey:  "POST " + f.path,
			Stage:     "$default",
			Time:      at.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: at.UnixMilli(),
		},
		Body: string(body),
	}
	if f.form {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// TestEvents keeps events/slack/*.json in step with the handler: each is a signed API Gateway v2
// event that the handler accepts, checked with the clock set to the fixture's own timestamp (a
// stored Slack signature is stale after 5 minutes). go test ./shared/slackapi -run TestEvents
// -update rewrites them signed with the current time, for sam local invoke.
func TestEvents(t *testing.T) {
	if *update {
		signAt := time.Now()
		for _, f := range fixtures {
			b, err := json.MarshalIndent(gatewayEvent(t, f, signAt), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(eventsDir, f.file), append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var names []string
	for _, f := range fixtures {
		names = append(names, f.file)
		t.Run(f.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(eventsDir, f.file))
			if err != nil {
				t.Fatalf("%v (create it with -update)", err)
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("not an API Gateway v2 event: %v", err)
			}
			secs, err := strconv.ParseInt(ev.Headers["x-slack-request-timestamp"], 10, 64)
			if err != nil {
				t.Fatalf("fixture without a signing timestamp: %v", err)
			}
			signedAt := time.Unix(secs, 0)
			if !*update {
				// The stored body must be what the testdata payload gives, signed correctly.
				want := gatewayEvent(t, f, signedAt)
				if ev.Body != want.Body || ev.Headers["x-slack-signature"] != want.Headers["x-slack-signature"] {
					t.Fatalf("fixture is out of date with testdata/%s: run go test ./shared/slackapi -run TestEvents -update", f.testdata)
				}
			}
			hs := newHarness(t, escalated())
			hs.h = NewHandler(HandlerConfig{
				SigningSecret: []byte("local-slack-secret"), TeamIDs: []string{testTeam}, AppID: testApp, Conversations: hs.store, Dedup: hs.seen, Queue: hs.queue,
				Now: func() time.Time { return signedAt.Add(time.Minute) }, Logger: slog.New(slog.DiscardHandler),
			})
			resp, err := httpadapter.NewV2(hs.h).ProxyWithContext(t.Context(), ev)
			if err != nil {
				t.Fatalf("proxy: %v", err)
			}
			if resp.StatusCode != f.wantStatus {
				t.Fatalf("status = %d (%s), want %d", resp.StatusCode, resp.Body, f.wantStatus)
			}
			if n := len(hs.queue.sent()); n != f.wantQueued {
				t.Errorf("queued %d, want %d", n, f.wantQueued)
			}
			if !strings.Contains(resp.Body, f.wantBody) {
				t.Errorf("body %q does not contain %q", resp.Body, f.wantBody)
			}

			// With the real clock far from the signature time, the same event is refused.
			late := NewHandler(HandlerConfig{
				SigningSecret: []byte("local-slack-secret"), TeamIDs: []string{testTeam}, AppID: testApp, Conversations: hs.store, Dedup: hs.seen, Queue: hs.queue,
				Now: func() time.Time { return signedAt.Add(6 * time.Minute) }, Logger: slog.New(slog.DiscardHandler),
			})
			if resp, _ := httpadapter.NewV2(late).ProxyWithContext(t.Context(), ev); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("6 minutes later: status = %d, want 401", resp.StatusCode)
			}
		})
	}
	// No stray fixtures that nothing checks.
	entries, err := os.ReadDir(eventsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !slices.Contains(names, e.Name()) {
			t.Errorf("events/slack/%s is not checked by TestEvents", e.Name())
		}
	}
}
