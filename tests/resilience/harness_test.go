package resilience_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/frontdesk-app/frontdesk/internal/iamcheck"
	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/samtemplate"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
	"github.com/frontdesk-app/frontdesk/shared/sqsqueue"
)

func TestMain(m *testing.M) {
	code := testenv.Run(m)
	if code == 0 && !permissions.Check(os.Stderr) {
		code = 1
	}
	os.Exit(code)
}

// The test stack's accounts and secrets.
const (
	appSecret    = "resilience-app-secret"
	verifyToken  = "resilience-verify-token"
	slackSigning = "resilience-slack-secret"
	consentKey   = "resilience-consent-key"
	pepper       = "resilience-subject-pepper"

	waPhoneID   = "106540352242922"
	waToken     = "resilience-wa-token"
	pageID      = "107000000000001"
	pageToken   = "resilience-page-token"
	igID        = "178000000000001"
	igToken     = "resilience-ig-token"
	slackToken  = "xoxb-resilience-bot"
	deskChannel = "C0RESDESK1"
	// The Slack workspace and app the Slack function obeys (threadReplyEvent's).
	slackTeam = "T0RESDESK"
	slackApp  = "A0RESDESK"
)

// options shape a harness.
type options struct {
	// visibility is the queue's visibility timeout in seconds: how long a failed or abandoned
	// message waits before it is delivered again.
	visibility int
	// maxReceive is the redrive policy's maxReceiveCount.
	maxReceive int
	batchSize  int32
	workers    int
	// manual leaves the event source stopped: the test starts it.
	manual bool
	// timeout is the bot function's timeout (template.yaml's 30 s by default).
	timeout time.Duration
	// logs, when set, counts the bytes of the functions' logs and EMF metric lines.
	logs *roleWriter
}

func defaults() options {
	return options{visibility: 2, maxReceive: 4, batchSize: 10, workers: 2, timeout: 30 * time.Second}
}

// harness is the whole backend as deployed, on moto: the app.Stack built from one set of
// dependencies with the DynamoDB store and the SQS FIFO queue (with its dead-letter queue),
// the strict Graph and Slack fakes as the outbound targets, and an emulated SQS event source
// driving the bot.
type harness struct {
	t    *testing.T
	opts options

	tap    *awsTap // the functions' clients
	esmTap *awsTap // the event source mapping's client
	admin  struct {
		db  *dynamodb.Client
		sqs *sqs.Client
	}
	table            string
	queueURL, dlqURL string
	store            *dynamo.Store

	graph   *graphtest.Server
	slack   *slacktest.Server
	out     *outbound
	metrics *recorder
	clock   *clock
	stack   *app.Stack
	mux     http.Handler
	esm     *esm
}

func newHarness(t *testing.T, mods ...func(*options)) *harness {
	t.Helper()
	o := defaults()
	for _, m := range mods {
		m(&o)
	}
	h := &harness{t: t, opts: o, tap: newAWSTap(), esmTap: newAWSTap(), clock: &clock{}, metrics: newRecorder(), out: &outbound{}}
	ctx := t.Context()
	base := testenv.AWSConfig(t)
	h.admin.db = dynamodb.NewFromConfig(base)
	h.admin.sqs = sqs.NewFromConfig(base)

	suffix := randomSuffix(t)
	h.table = "resilience-" + suffix
	if err := dynamo.CreateTable(ctx, h.admin.db, h.table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	h.dlqURL = h.createQueue("resilience-dlq-"+suffix+".fifo", nil)
	dlqARN := h.queueARN(h.dlqURL)
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN, "maxReceiveCount": strconv.Itoa(o.maxReceive)})
	h.queueURL = h.createQueue("resilience-events-"+suffix+".fifo", map[string]string{
		"VisibilityTimeout": strconv.Itoa(o.visibility),
		"RedrivePolicy":     string(redrive),
	})

	h.graph = graphtest.New(t, graphtest.Accounts{
		WhatsApp:  map[string]string{waPhoneID: waToken},
		Pages:     map[string]string{pageID: pageToken},
		Instagram: map[string]string{igID: igToken},
	})
	h.slack = slacktest.New(t, slackToken, deskChannel)

	env := map[string]string{
		"FRONTDESK_TABLE":           h.table,
		"FRONTDESK_QUEUE_URL":       h.queueURL,
		"GRAPH_API_BASE_URL":        h.graph.URL(),
		"SLACK_API_URL":             h.slack.URL(),
		"SLACK_CHANNEL":             deskChannel,
		"SLACK_TEAM_IDS":            slackTeam,
		"SLACK_APP_ID":              slackApp,
		"INSTAGRAM_ACCOUNT_IDS":     igID,
		"WHATSAPP_PHONE_NUMBER_IDS": waPhoneID,
		"PAGE_IDS":                  pageID,
		"WHATSAPP_TEMPLATE":         "agent_reply_waiting",
		"PUBLIC_BASE_URL":           "https://frontdesk.example",
		"META_APP_SECRET":           appSecret,
		"META_VERIFY_TOKEN":         verifyToken,
		"WHATSAPP_TOKEN":            waToken,
		"PAGE_TOKEN":                pageToken,
		"INSTAGRAM_TOKEN":           igToken,
		"SLACK_BOT_TOKEN":           slackToken,
		"SLACK_SIGNING_SECRET":      slackSigning,
		"CONSENT_API_KEY":           consentKey,
		"SUBJECT_PEPPER":            pepper,
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	appAWS := h.tap.instrument(base)
	// Through the recorder of the permission check, each request named for its function.
	appAWS.BaseEndpoint = aws.String(permissions.Endpoint(t, ""))
	appAWS.APIOptions = append(slices.Clone(appAWS.APIOptions), iamcheck.Tag)
	h.store = dynamo.New(dynamodb.NewFromConfig(appAWS), h.table)
	h.store.Now = h.clock.Now
	deps := app.Deps{
		Config:        cfg,
		Conversations: h.store,
		Dedup:         h.store,
		Consent:       h.store,
		Learn:         h.store,
		Queue:         sqsqueue.New(sqs.NewFromConfig(appAWS), h.queueURL),
		HTTP:          &http.Client{Transport: h.out.wrap(http.DefaultTransport), Timeout: 20 * time.Second},
		Metrics:       h.metrics,
		Logger:        testLogger(t),
		Now:           h.clock.Now,
	}
	if o.logs != nil {
		deps.Logger, deps.Metrics = costObservability(o.logs)
	}
	if h.stack, err = app.NewStack(deps); err != nil {
		t.Fatalf("app.NewStack: %v", err)
	}
	h.mux = h.mountRoutes()

	h.esm = &esm{
		api: sqs.NewFromConfig(h.esmTap.instrument(base)), url: h.queueURL, arn: h.queueARN(h.queueURL),
		batchSize: o.batchSize, timeout: o.timeout,
		handler: func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			return h.stack.Bot.HandleSQS(iamcheck.WithFunction(ctx, "bot"), ev)
		},
	}
	t.Cleanup(h.esm.stop)
	if !o.manual {
		h.esm.start(o.workers)
	}
	return h
}

// mountRoutes mounts every route of template.yaml on its function's handler.
func (h *harness) mountRoutes() http.Handler {
	root, err := testenv.RepoRoot()
	if err != nil {
		h.t.Fatal(err)
	}
	routes, err := samtemplate.ReadRoutes(filepath.Join(root, "template.yaml"))
	if err != nil {
		h.t.Fatal(err)
	}
	mux, err := h.stack.Mux(routes)
	if err != nil {
		h.t.Fatal(err)
	}
	// Each request runs as its route's function, for the permission check.
	return iamcheck.Routes(mux, routes)
}

func (h *harness) createQueue(name string, attrs map[string]string) string {
	h.t.Helper()
	a := map[string]string{
		"FifoQueue":                 "true",
		"ContentBasedDeduplication": "false",
		"DeduplicationScope":        "messageGroup",
		"FifoThroughputLimit":       "perMessageGroupId",
	}
	for k, v := range attrs {
		a[k] = v
	}
	out, err := h.admin.sqs.CreateQueue(h.t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: a})
	if err != nil {
		h.t.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func (h *harness) queueARN(url string) string {
	h.t.Helper()
	out, err := h.admin.sqs.GetQueueAttributes(h.t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		h.t.Fatalf("queue arn: %v", err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// queued returns the messages in the queue at url: visible, in flight and delayed.
func (h *harness) queued(url string) int {
	h.t.Helper()
	out, err := h.admin.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		h.t.Fatalf("queue attributes: %v", err)
	}
	n := 0
	for _, v := range out.Attributes {
		i, _ := strconv.Atoi(v)
		n += i
	}
	return n
}

// settle waits until the event queue is empty and no invocation runs: every message was
// handled and deleted, or moved to the dead-letter queue. It needs three empty readings in a
// row: moto computes the visible and in-flight counts at two instants, so a message whose
// visibility timeout ends between them is missing from one reading.
func (h *harness) settle() {
	h.t.Helper()
	empty := 0
	waitFor(h.t, 40*time.Second, "the event queue to drain", func() bool {
		if h.queued(h.queueURL) == 0 && h.esm.busy.Load() == 0 {
			empty++
		} else {
			empty = 0
		}
		return empty >= 3
	})
}

// deadLetters returns the events in the dead-letter queue (leaving them invisible for a minute).
func (h *harness) deadLetters() []channel.Event {
	h.t.Helper()
	var evs []channel.Event
	for {
		out, err := h.admin.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(h.dlqURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60,
		})
		if err != nil {
			h.t.Fatalf("read the dead-letter queue: %v", err)
		}
		if len(out.Messages) == 0 {
			return evs
		}
		for _, m := range out.Messages {
			var e channel.Event
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
				h.t.Fatalf("dead letter %q: %v", aws.ToString(m.Body), err)
			}
			evs = append(evs, e)
		}
	}
}

// conversation returns the stored conversation of key.
func (h *harness) conversation(key channel.Key) *conversation.Conversation {
	h.t.Helper()
	c, err := h.store.GetConversation(context.Background(), key)
	if err != nil {
		h.t.Fatalf("conversation %s: %v", key, err)
	}
	return c
}

// serve sends r through the mounted routes.
func (h *harness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

// webhook posts body to /webhooks/meta signed as Meta signs it.
func (h *harness) webhook(body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(meta.SignatureHeader, meta.Sign(body, []byte(appSecret)))
	return h.serve(r)
}

// slackRequest signs body as Slack signs a request to path, at the stack's time.
func (h *harness) slackRequest(path, contentType string, body []byte) *http.Request {
	return slackPost(path, contentType, body, h.clock.Now())()
}

// threadReplyEvent is an Events API message event of an agent's reply in a thread.
func threadReplyEvent(eventID, threadTS, text string, at time.Time) []byte {
	ts := fmt.Sprintf("%d.%06d", at.Unix(), at.Nanosecond()/1000)
	body, err := json.Marshal(map[string]any{
		"token": "unused", "team_id": slackTeam, "api_app_id": slackApp, "type": "event_callback",
		"event_id": eventID, "event_time": at.Unix(),
		"event": map[string]any{"type": "message", "channel": deskChannel, "user": "U0AGENT01", "text": text,
			"ts": ts, "thread_ts": threadTS, "event_ts": ts, "channel_type": "channel"},
	})
	if err != nil {
		panic(err)
	}
	return body
}

// enqueue puts an event on the queue directly, as an ingress function would.
func (h *harness) enqueue(e channel.Event, dedupID string) {
	h.t.Helper()
	body, err := json.Marshal(e)
	if err != nil {
		h.t.Fatal(err)
	}
	var group string
	switch {
	case e.Inbound != nil:
		group = e.Inbound.Key.String()
	case e.Agent != nil:
		group = e.Agent.Key.String()
	}
	q := sqsqueue.New(h.admin.sqs, h.queueURL)
	if err := q.Send(context.Background(), queue.Message{GroupID: group, DeduplicationID: dedupID, Body: body}); err != nil {
		h.t.Fatalf("enqueue: %v", err)
	}
}

// enqueueRaw puts a body on the queue as it is.
func (h *harness) enqueueRaw(group, dedupID, body string) {
	h.t.Helper()
	q := sqsqueue.New(h.admin.sqs, h.queueURL)
	if err := q.Send(context.Background(), queue.Message{GroupID: group, DeduplicationID: dedupID, Body: []byte(body)}); err != nil {
		h.t.Fatalf("enqueue: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testLogger discards logs, or writes them to the test log with RESILIENCE_LOG=1.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("RESILIENCE_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewJSONHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// clock is the stack's clock: real time plus an offset a test can move forward.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// recorder is a metrics.Recorder that sums what the stack records.
type recorder struct {
	mu     sync.Mutex
	counts map[string]int
}

func newRecorder() *recorder { return &recorder{counts: map[string]int{}} }

func (r *recorder) Count(name string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[name] += n
}

func (r *recorder) Milliseconds(name string, _ time.Duration) { r.Count(name, 1) }

func (r *recorder) get(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[name]
}

// outbound records every call the stack makes to the Graph API and Slack, with its outcome:
// what customers and agents actually received.
type outbound struct {
	mu    sync.Mutex
	calls []outCall
}

type outCall struct {
	// Service is "graph" or "slack"; Method the Slack method or the Graph path.
	Service, Method string
	// To is the customer (WhatsApp "to", Messenger/Instagram recipient id or comment id) or the
	// Slack channel; Thread the Slack thread_ts.
	To, Thread string
	Status     int
	// OK is Graph's 200 or Slack's ok:true: the message exists.
	OK   bool
	Body []byte
}

func (o *outbound) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := next.RoundTrip(r)
		c := outCall{Body: body}
		switch {
		case strings.Contains(r.URL.Path, graphtest.BasePath):
			c.Service, c.Method = "graph", strings.TrimPrefix(r.URL.Path, graphtest.BasePath)
			var b struct {
				To        string `json:"to"`
				Recipient struct {
					ID        string `json:"id"`
					CommentID string `json:"comment_id"`
				} `json:"recipient"`
			}
			_ = json.Unmarshal(body, &b)
			c.To = b.To + b.Recipient.ID + b.Recipient.CommentID
		default:
			c.Service, c.Method = "slack", strings.TrimPrefix(r.URL.Path, slacktest.BasePath)
			fields := formOrJSON(r.Header.Get("Content-Type"), body)
			c.To, c.Thread = fields["channel"], fields["thread_ts"]
		}
		if err == nil {
			c.Status = resp.StatusCode
			rb, _ := io.ReadAll(resp.Body)
			resp.Body = io.NopCloser(bytes.NewReader(rb))
			c.OK = resp.StatusCode == http.StatusOK
			if c.Service == "slack" {
				var ok struct {
					OK bool `json:"ok"`
				}
				c.OK = c.OK && json.Unmarshal(rb, &ok) == nil && ok.OK
			}
		}
		o.mu.Lock()
		o.calls = append(o.calls, c)
		o.mu.Unlock()
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func formOrJSON(contentType string, body []byte) map[string]string {
	out := map[string]string{}
	if strings.HasPrefix(contentType, "application/json") {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		for k, v := range m {
			out[k] = fmt.Sprint(v)
		}
		return out
	}
	vals, _ := url.ParseQuery(string(body))
	for k := range vals {
		out[k] = vals.Get(k)
	}
	return out
}

// delivered returns the messages Graph accepted for the customer to.
func (o *outbound) delivered(to string) []outCall {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []outCall
	for _, c := range o.calls {
		if c.Service == "graph" && c.OK && c.To == to {
			out = append(out, c)
		}
	}
	return out
}

// attempts returns the Graph calls for the customer to, accepted or not.
func (o *outbound) attempts(to string) []outCall {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []outCall
	for _, c := range o.calls {
		if c.Service == "graph" && c.To == to {
			out = append(out, c)
		}
	}
	return out
}

// slackSignature is X-Slack-Signature for body at the timestamp ts.
func slackSignature(ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(slackSigning))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
