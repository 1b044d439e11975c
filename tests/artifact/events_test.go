//go:build linux

package artifact_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
	"github.com/frontdesk-app/frontdesk/shared/sqsqueue"
)

// trigger is how a function is invoked, which decides the shape of its result.
type trigger int

const (
	apiGateway trigger = iota // HTTP API payload 2.0 -> events.APIGatewayV2HTTPResponse
	sqsBatch                  // SQS -> events.SQSEventResponse (partial batch failures)
	schedule                  // EventBridge -> the function's JSON result
)

// suite is the expectations for every file in events/<function>/.
type suite struct {
	trigger trigger
	// cases run in this order against one emulator, so a case may rely on the ones before it
	// (get-consent reads what post-consent recorded).
	cases []eventCase
	// prepare, if set, turns a stored event into the one sent (Slack's signatures expire).
	prepare func(t testing.TB, event []byte) []byte
}

type eventCase struct {
	file string // events/<function>/<file>.json
	want want
}

// want is what invoking one events file must do. Every list is exact: nil means none.
type want struct {
	// setup prepares the state the event refers to.
	setup func(t *testing.T, r *rig)
	// status is the HTTP status of an API Gateway function's answer.
	status int
	// failures are the SQS batch item failures (message ids).
	failures []string
	// queued lists "<surface>/<kind>" of every event the invocation put on the queue, sorted.
	queued []string
	// graph lists "<method> <path>" of every Graph API call, in order.
	graph []string
	// slack lists the Slack Web API methods called, in order.
	slack []string
	// check asserts anything else.
	check func(t *testing.T, r *rig, got outcome)
}

// outcome is what one invocation did.
type outcome struct {
	raw    []byte
	http   events.APIGatewayV2HTTPResponse
	batch  events.SQSEventResponse
	queued []channel.Event
	graph  []graphtest.Request
	slack  []slacktest.Call
	stray  []string // requests the traffic trap caught
}

// suites maps each function (functions/<name>) to the expectations of its events files.
var suites = map[string]suite{
	"meta-webhook": metaWebhookSuite,
	"bot":          botSuite,
	"consent":      consentSuite,
	"slack":        slackSuite,
	"sweeper":      sweeperSuite,
}

// TestEvents runs every bootstrap under the emulator with every file of its events directory
// and checks each file's expected result. A function without a suite, an events file without
// an expectation and an expectation without a file all fail.
func TestEvents(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	fns := bins.functions()
	dirs, err := filepath.Glob(filepath.Join(bins.root, "events", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && !slices.Contains(fns, filepath.Base(d)) {
			t.Errorf("events/%s has no function functions/%s", filepath.Base(d), filepath.Base(d))
		}
	}
	for _, fn := range fns {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			s, ok := suites[fn]
			if !ok {
				t.Fatalf("functions/%s has no suite in tests/artifact: add its events files and their expectations", fn)
			}
			var want []string
			for _, c := range s.cases {
				want = append(want, c.file)
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, eventsFiles(t, bins.root, fn)); diff != "" {
				t.Fatalf("events/%s and its expectations differ: every file needs one (-expected +files):\n%s", fn, diff)
			}
			r := newRig(t, fn, nil)
			for _, c := range s.cases {
				t.Run(c.file, func(t *testing.T) {
					if c.want.setup != nil {
						c.want.setup(t, r)
					}
					raw := readEvent(t, bins.root, fn, c.file)
					if s.trigger == sqsBatch {
						checkMD5(t, raw)
					}
					if s.prepare != nil {
						raw = s.prepare(t, raw)
					}
					got := r.invoke(t, s.trigger, raw)
					if len(got.stray) > 0 {
						t.Errorf("requests outside the fakes and moto: %q", got.stray)
					}
					got.check(t, r, s.trigger, c.want)
				})
			}
			if got := r.trap.requests(); len(got) > 0 {
				t.Errorf("requests outside the fakes and moto: %q", got)
			}
			checkLogs(t, r.proc.log.tail(8<<20))
		})
	}
}

// secretsAndPersonalData are values the events carry that no log line may show: the secrets,
// the customers' phone numbers and user ids, and what customers and agents wrote.
var secretsAndPersonalData = []string{
	appSecret, verifyToken, whatsappToken, pageToken, instagramToken, slackToken, slackSecret, consentKey, subjectPepper,
	"491701234567", "491709876543", "4917112345667", "16505551234", deletionUser,
	"Passwort vergessen", "Zurücksetzen geschickt", "Lieferung kommt morgen", "Does it come in another color",
}

// checkLogs fails if the function's output (its logs, as CloudWatch would get them) shows any
// of secretsAndPersonalData.
func checkLogs(t *testing.T, out string) {
	t.Helper()
	for _, s := range secretsAndPersonalData {
		if i := strings.Index(out, s); i >= 0 {
			line := out[strings.LastIndex(out[:i], "\n")+1:]
			if j := strings.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			t.Errorf("the logs show %q: %s", s, line)
		}
	}
}

// invoke sends event to the function and collects what the invocation did.
func (r *rig) invoke(t testing.TB, trig trigger, event []byte) outcome {
	t.Helper()
	graphBefore, slackBefore, trapBefore := len(r.graph.Requests()), len(r.slack.Calls()), len(r.trap.requests())
	got := outcome{raw: r.proc.invoke(t, event)}
	got.graph = r.graph.Requests()[graphBefore:]
	got.slack = r.slack.Calls()[slackBefore:]
	got.stray = r.trap.requests()[trapBefore:]
	switch trig {
	case apiGateway:
		if err := json.Unmarshal(got.raw, &got.http); err != nil {
			t.Fatalf("result is not an API Gateway v2 response: %v: %s", err, got.raw)
		}
	case sqsBatch:
		if err := json.Unmarshal(got.raw, &got.batch); err != nil {
			t.Fatalf("result is not an SQS batch response: %v: %s", err, got.raw)
		}
	}
	for _, m := range r.drain(t) {
		var ev channel.Event
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil || ev.Inbound == nil && ev.Agent == nil {
			t.Errorf("queued body %s is not a channel.Event (%v)", aws.ToString(m.Body), err)
			continue
		}
		got.queued = append(got.queued, ev)
		key := eventKey(ev)
		if g, want := m.Attributes["MessageGroupId"], sqsqueue.ID(key.String()); g != want {
			t.Errorf("MessageGroupId = %q, want the conversation key %q", g, want)
		}
		if d, want := m.Attributes["MessageDeduplicationId"], dedupID(ev.ID()); d != want {
			t.Errorf("MessageDeduplicationId = %q, want the event id %q", d, want)
		}
	}
	return got
}

// check compares what an invocation did with w.
func (got outcome) check(t *testing.T, r *rig, trig trigger, w want) {
	t.Helper()
	switch trig {
	case apiGateway:
		if got.http.StatusCode != w.status {
			t.Errorf("statusCode = %d, want %d (body %s)", got.http.StatusCode, w.status, got.http.Body)
		}
	case sqsBatch:
		var ids []string
		for _, f := range got.batch.BatchItemFailures {
			ids = append(ids, f.ItemIdentifier)
		}
		if diff := cmp.Diff(w.failures, ids); diff != "" {
			t.Errorf("batch item failures (-want +got):\n%s", diff)
		}
	}
	var queued []string
	for _, ev := range got.queued {
		kind := "agent"
		if ev.Inbound != nil {
			kind = string(ev.Inbound.Kind)
		}
		queued = append(queued, string(eventKey(ev).Surface)+"/"+kind)
	}
	slices.Sort(queued)
	if diff := cmp.Diff(w.queued, queued); diff != "" {
		t.Errorf("queued events (-want +got):\n%s", diff)
	}
	var graph []string
	for _, q := range got.graph {
		graph = append(graph, q.Method+" "+q.Path)
	}
	if diff := cmp.Diff(w.graph, graph); diff != "" {
		t.Errorf("Graph API calls (-want +got):\n%s", diff)
	}
	var slack []string
	for _, c := range got.slack {
		slack = append(slack, c.Method)
	}
	if diff := cmp.Diff(w.slack, slack); diff != "" {
		t.Errorf("Slack Web API calls (-want +got):\n%s", diff)
	}
	if w.check != nil && !t.Failed() {
		w.check(t, r, got)
	}
}

// TestTrafficTrap proves the trap is a real guard: a bootstrap pointed at the real Graph API or
// at real AWS reaches the trap, not the network, and the test sees it.
func TestTrafficTrap(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	tests := []struct {
		name    string
		fn      string
		env     map[string]string
		event   string
		trigger trigger
		want    want
		caught  []string
	}{
		{
			name:    "graph",
			fn:      "bot",
			env:     map[string]string{"GRAPH_API_BASE_URL": "https://graph.facebook.com"},
			event:   "sqs-whatsapp-text",
			trigger: sqsBatch,
			// The reply cannot go out, so the message goes back to the queue.
			want:   want{failures: []string{"4f1c2b7e-9a55-4d7e-8a1f-0c3e5b6d7a01"}},
			caught: []string{"CONNECT graph.facebook.com:443"},
		},
		{
			name:    "aws",
			fn:      "meta-webhook",
			env:     map[string]string{"AWS_ENDPOINT_URL": ""},
			event:   "whatsapp_text",
			trigger: apiGateway,
			// The queue is unreachable: a 5xx, so Meta delivers the webhook again.
			want:   want{status: 503},
			caught: []string{"CONNECT sqs.us-east-1.amazonaws.com:443"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tt.fn, tt.env)
			event := readEvent(t, bins.root, tt.fn, tt.event)
			if p := suites[tt.fn].prepare; p != nil {
				event = p(t, event)
			}
			got := r.invoke(t, tt.trigger, event)
			got.check(t, r, tt.trigger, tt.want)
			caught := slices.Compact(slices.Sorted(slices.Values(got.stray)))
			if diff := cmp.Diff(tt.caught, caught); diff != "" {
				t.Errorf("trap caught (-want +got):\n%s", diff)
			}
		})
	}
}

// checkMD5 fails if an SQS event's md5OfBody does not match its body: the files stay realistic.
func checkMD5(t *testing.T, raw []byte) {
	t.Helper()
	var ev events.SQSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	for _, m := range ev.Records {
		sum := md5.Sum([]byte(m.Body))
		if got := hex.EncodeToString(sum[:]); m.Md5OfBody != got {
			t.Errorf("record %s: md5OfBody = %s, want %s", m.MessageId, m.Md5OfBody, got)
		}
	}
}

// eventKey is the conversation an event belongs to.
func eventKey(ev channel.Event) channel.Key {
	if ev.Inbound != nil {
		return ev.Inbound.Key
	}
	return ev.Agent.Key
}

// dedupID is the SQS deduplication id of an event id: the id itself, or for one longer than
// SQS's 128 characters "h." and its SHA-256 (shared/meta's clamp), then made safe by sqsqueue.ID.
func dedupID(id string) string {
	if len(id) > 128 {
		sum := sha256.Sum256([]byte(id))
		id = "h." + hex.EncodeToString(sum[:])
	}
	return sqsqueue.ID(id)
}

// TestEventsREADME keeps events/README.md listing every events file with its expected result.
func TestEventsREADME(t *testing.T) {
	t.Parallel()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "events", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "events", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events files (%v)", err)
	}
	for _, f := range files {
		if name := filepath.Base(f); !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("events/README.md does not list %s/%s", filepath.Base(filepath.Dir(f)), name)
		}
	}
}
