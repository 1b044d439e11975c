// Package integration_test drives whole flows across frontdesk's functions: Meta webhooks,
// Slack events and the privacy API go in through the same mux the local server mounts from
// template.yaml, the bot consumes the queue, and strict fakes of the Graph API, the Conversions
// API and the Slack Web API check and record every outbound call. Every flow runs against the
// embedded store and against DynamoDB (moto) through the real SDK.
package integration_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/frontdesk-app/frontdesk/internal/iamcheck"
	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/adsignals/capitest"
	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/memqueue"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/samtemplate"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

func TestMain(m *testing.M) {
	code := testenv.Run(m)
	if code == 0 && !permissions.Check(os.Stderr) {
		code = 1
	}
	os.Exit(code)
}

// permissions is the permission check of this suite: on DynamoDB, the stack's client reaches
// moto through its recorder, each request named for the function whose code made it (the
// route's function, or the bot), and TestMain decides every distinct call under that
// function's policies in template.yaml. The flows seed and inspect the store through the same
// client, outside any function: those calls are the test's (TestCalls).
var permissions = &iamcheck.Suite{Options: iamcheck.ReportOptions{TestCalls: true}}

const (
	appSecret     = "local-app-secret"
	verifyToken   = "local-verify-token"
	slackSecret   = "local-slack-secret"
	consentKey    = "local-consent-key"
	waToken       = "wa-test-token"
	pageToken     = "page-test-token"
	igToken       = "ig-test-token"
	slackToken    = "xoxb-test-token"
	deskChannel   = "C0DESK"
	dataset       = "900100200300"
	agentTemplate = "agent_reply_waiting"
)

// clock is the one clock of a flow: stores, queue, bot, signatures.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// store is everything a backend provides.
type store interface {
	conversation.Store
	dedup.Store
	consent.Store
	learn.Store
}

// syncBuffer collects the logs of a flow.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one frontdesk stack with its fakes.
type env struct {
	t      *testing.T
	clock  *clock
	store  store
	graph  *graphtest.Server
	capi   *capitest.Server
	slack  *slacktest.Server
	queue  *memqueue.Queue
	mux    http.Handler
	logs   *syncBuffer
	cfg    config.Config
	queued atomic.Int32
	// metrics counts what the functions record.
	metrics *counter
	// presses numbers the button presses of a flow (their action_ts).
	presses atomic.Int32
}

// counter is a metrics.Recorder that counts.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Count(name string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name] += n
}

func (c *counter) Milliseconds(string, time.Duration) {}

func (c *counter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

var backends = []string{"memstore", "dynamodb"}

// forEachBackend runs flow against each store.
func forEachBackend(t *testing.T, flow func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			flow(t, newEnv(t, b))
		})
	}
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func newEnv(t *testing.T, backend string) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}, metrics: &counter{n: map[string]int{}}}
	switch backend {
	case "memstore":
		ms := memstore.New()
		ms.Now = e.clock.Now
		e.store = ms
	case "dynamodb":
		cfg := testenv.AWSConfig(t)
		cfg.BaseEndpoint = aws.String(permissions.Endpoint(t, ""))
		cfg.APIOptions = append(cfg.APIOptions, iamcheck.Tag)
		client := dynamodb.NewFromConfig(cfg)
		table := randomName("frontdesk-it-")
		if err := dynamo.CreateTable(context.Background(), client, table); err != nil {
			t.Fatalf("create table: %v", err)
		}
		ds := dynamo.New(client, table)
		ds.Now = e.clock.Now
		e.store = ds
	default:
		t.Fatalf("unknown backend %q", backend)
	}

	e.graph = graphtest.New(t, graphtest.Accounts{
		WhatsApp:  map[string]string{metatest.PhoneNumberID: waToken},
		Pages:     map[string]string{metatest.PageID: pageToken},
		Instagram: map[string]string{metatest.InstagramID: igToken},
	})
	e.capi = capitest.New(t, "v25.0", map[string]capitest.Dataset{
		dataset: {Channel: "whatsapp", BusinessID: metatest.WABA, Token: waToken},
	}, e.clock.Now)
	e.slack = slacktest.New(t, slackToken, deskChannel)
	graphFront := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		// The Graph API and the Conversions API share a host; each fake serves one of them.
		target := e.graph.URL()
		if strings.HasSuffix(pr.In.URL.Path, "/events") {
			target = e.capi.BaseURL()
		}
		u, _ := url.Parse(target)
		pr.SetXForwarded()
		pr.Out.URL.Scheme, pr.Out.URL.Host, pr.Out.Host = u.Scheme, u.Host, u.Host
		if !strings.HasPrefix(pr.In.URL.Path, graphtest.BasePath+"/") { // media URLs the fake gave out carry it
			pr.Out.URL.Path = u.Path + pr.In.URL.Path
		}
	}})
	t.Cleanup(graphFront.Close)

	vars := map[string]string{
		"META_APP_SECRET": appSecret, "META_VERIFY_TOKEN": verifyToken, "SLACK_SIGNING_SECRET": slackSecret,
		"CONSENT_API_KEY": consentKey, "SUBJECT_PEPPER": "integration-test-pepper",
		"WHATSAPP_TOKEN": waToken, "PAGE_TOKEN": pageToken, "INSTAGRAM_TOKEN": igToken,
		"INSTAGRAM_ACCOUNT_IDS": metatest.InstagramID, "PAGE_IDS": metatest.PageID,
		"GRAPH_API_BASE_URL": graphFront.URL, "SLACK_API_URL": e.slack.URL(), "SLACK_BOT_TOKEN": slackToken,
		"SLACK_CHANNEL": deskChannel, "SLACK_TEAM_IDS": "T0FRONTDSK", "SLACK_APP_ID": "A0FRONTDSK", "WHATSAPP_TEMPLATE": agentTemplate, "PUBLIC_BASE_URL": "https://support.example.com",
		"CONSENT_REGIME":           "opt-out",
		"CAPI_DATASETS":            metatest.PhoneNumberID + "=" + dataset + "/" + metatest.WABA,
		"WHATSAPP_PHONE_NUMBER_ID": metatest.PhoneNumberID, "DEFAULT_COUNTRY_CODE": "49",
	}
	cfg, err := config.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var q *memqueue.Queue
	stk, err := app.NewStack(app.Deps{
		Config: cfg, Conversations: e.store, Dedup: e.store, Consent: e.store, Learn: e.store,
		Queue: queue.SenderFunc(func(ctx context.Context, m queue.Message) error {
			e.queued.Add(1)
			return q.Send(ctx, m)
		}),
		HTTP:    &http.Client{Timeout: 10 * time.Second},
		Metrics: e.metrics, Logger: logger, Now: e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	bot := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return stk.Bot.HandleSQS(iamcheck.WithFunction(ctx, "bot"), ev)
	}
	q = memqueue.New(bot, memqueue.WithClock(e.clock.Now), memqueue.WithLogger(logger), memqueue.WithBackoff(time.Millisecond))
	t.Cleanup(func() { _ = q.Close() })
	e.queue = q
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	routes, err := samtemplate.ReadRoutes(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mux, err := stk.Mux(routes)
	if err != nil {
		t.Fatal(err)
	}
	e.mux = iamcheck.Routes(mux, routes)
	return e
}

// do sends a request through the mux and waits until the queue is idle.
func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	e.wait()
	return rec
}

// wait blocks until every queued event was handled.
func (e *env) wait() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.queue.Wait(ctx); err != nil {
		e.t.Fatalf("queue did not drain: %v", err)
	}
	if dl := e.queue.DeadLetters(); len(dl) > 0 {
		e.t.Fatalf("%d events ended in the dead-letter list", len(dl))
	}
}

// say posts a customer's message as Meta would, signed, and returns the built message.
func (e *env) say(m metatest.Message) metatest.Built {
	e.t.Helper()
	if m.At.IsZero() {
		m.At = e.clock.Now()
	}
	b, err := metatest.Payload(m)
	if err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(b.Body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", meta.Sign(b.Body, []byte(appSecret)))
	if rec := e.do(req); rec.Code != http.StatusOK {
		e.t.Fatalf("webhook status = %d (%s), want 200", rec.Code, rec.Body)
	}
	return b
}

// sent returns the Graph API sends to recipient (a wa_id, PSID or comment id), in order.
func (e *env) sent(recipient string) []graphtest.Request {
	var out []graphtest.Request
	for _, r := range e.graph.Requests() {
		if r.JSON["to"] == recipient {
			out = append(out, r)
			continue
		}
		if rc, ok := r.JSON["recipient"].(map[string]any); ok && (rc["id"] == recipient || rc["comment_id"] == recipient) {
			out = append(out, r)
		}
	}
	return out
}

// text is the text of a Graph send body (WhatsApp text or interactive body, Messenger text).
func text(r graphtest.Request) string {
	if t, ok := r.JSON["text"].(map[string]any); ok {
		return fmt.Sprint(t["body"])
	}
	if i, ok := r.JSON["interactive"].(map[string]any); ok {
		if b, ok := i["body"].(map[string]any); ok {
			return fmt.Sprint(b["text"])
		}
	}
	if m, ok := r.JSON["message"].(map[string]any); ok {
		return fmt.Sprint(m["text"])
	}
	return ""
}

// slackSign signs a Slack request body at the flow's time.
func (e *env) slackRequest(path, contentType string, body []byte) *http.Request {
	ts := fmt.Sprint(e.clock.Now().Unix())
	mac := hmac.New(sha256.New, []byte(slackSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}
