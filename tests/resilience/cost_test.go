package resilience_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// The AWS requests each kind of event costs, counted by the SDK tap, and the
// cost per million at list prices. TestCost writes docs/cost.md with -update and otherwise
// checks that the counts in it still hold:
//
//	go test ./tests/resilience -run TestCost -update

var update = flag.Bool("update", false, "rewrite docs/cost.md from a new measurement")

// Prices in us-east-1, USD.
const (
	pricesDate      = "2026-11-28 (DynamoDB on-demand since the 2024-11-01 price cut)"
	lambdaGBSecond  = 0.0000133334 // arm64, first tier
	lambdaRequest   = 0.20 / 1e6
	sqsFIFORequest  = 0.50 / 1e6 // per 64 KB chunk
	dynamoWRU       = 0.625 / 1e6
	dynamoRRU       = 0.125 / 1e6
	httpAPIRequest  = 1.00 / 1e6 // first 300 M a month, per 512 KB
	logsIngestGB    = 0.50       // CloudWatch Logs standard ingestion, per GB
	lambdaFullVCPUM = 1769       // MB at which a function gets one full vCPU
)

// Latencies the duration model assumes for calls this test cannot time (moto and the fakes
// are local). In-region DynamoDB and SQS calls through the SDK, and Graph and Slack calls
// from us-east-1, typical p50 values.
const (
	latDynamoDB = 5 * time.Millisecond
	latSQS      = 10 * time.Millisecond
	latGraph    = 300 * time.Millisecond
	latSlack    = 250 * time.Millisecond
)

// usage is what one event cost, per function.
type usage struct {
	Event string
	// Ingress and Bot are AWS requests by operation, made by the ingress function (meta-webhook
	// or slack) and the bot.
	Ingress, Bot map[string]int
	// Batches and Deletes are the event source's ReceiveMessage calls that returned messages
	// and its DeleteMessageBatch calls.
	Batches, Deletes int
	RRU, WRU         float64
	// Graph and Slack are the outbound calls the bot made.
	Graph, Slack int
	// IngressLog and BotLog are the bytes each function logged (JSON logs and EMF lines).
	IngressLog, BotLog int
	// ingressFn names the ingress function ("meta-webhook", "slack").
	IngressFn string
	// Note explains the row.
	Note string
}

func (u usage) ingressRequests() int { return sum(u.Ingress) }
func (u usage) botRequests() int     { return sum(u.Bot) }
func (u usage) awsRequests() int {
	return u.ingressRequests() + u.botRequests() + u.Batches + u.Deletes
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// roleWriter counts the bytes logged, by role (see role): a log line is written in the
// context of the request that logs it only through the handler, so the harness's logger
// passes the context along (contextHandler).
type roleWriter struct {
	mu sync.Mutex
	n  map[string]int
}

func (w *roleWriter) add(role string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n[role] += n
}

func (w *roleWriter) bytes(role string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n[role]
}

func TestCost(t *testing.T) {
	t.Parallel()
	logs := &roleWriter{n: map[string]int{}}
	h := newHarness(t, func(o *options) {
		o.workers = 1
		o.batchSize = 10
		o.logs = logs
	})
	a, b, l := customer(40), customer(41), customer(42)
	var rows []usage

	// measure runs ingress and waits until the event source has delivered what it queued to
	// the bot; the tap tells the two apart by the invocation in the request's context.
	measure := func(event, ingressFn, note string, ingress func()) {
		t.Helper()
		inBefore, botBefore := h.tap.roleSnapshot("ingress"), h.tap.roleSnapshot("bot")
		inUnits, botUnits := h.tap.unitsSnapshot("ingress"), h.tap.unitsSnapshot("bot")
		batches, deletes := h.esm.batches.Load(), h.esm.deletes.Load()
		graph, slack := len(h.out.callsOf("graph")), len(h.out.callsOf("slack"))
		inLogged, botLogged := logs.bytes("ingress"), logs.bytes("bot")
		ingress()
		h.settle()
		inAfter, botAfter := h.tap.unitsSnapshot("ingress"), h.tap.unitsSnapshot("bot")
		rows = append(rows, usage{
			Event: event, IngressFn: ingressFn, Note: note,
			Ingress: diff(h.tap.roleSnapshot("ingress"), inBefore), Bot: diff(h.tap.roleSnapshot("bot"), botBefore),
			Batches: int(h.esm.batches.Load() - batches), Deletes: int(h.esm.deletes.Load() - deletes),
			RRU:   inAfter["RRU"] - inUnits["RRU"] + botAfter["RRU"] - botUnits["RRU"],
			WRU:   inAfter["WRU"] - inUnits["WRU"] + botAfter["WRU"] - botUnits["WRU"],
			Graph: len(h.out.callsOf("graph")) - graph, Slack: len(h.out.callsOf("slack")) - slack,
			IngressLog: logs.bytes("ingress") - inLogged, BotLog: logs.bytes("bot") - botLogged,
		})
	}
	webhook := func(body []byte) func() {
		return func() {
			if w := h.webhook(body); w.Code != http.StatusOK {
				t.Fatalf("webhook = %d %s", w.Code, w.Body)
			}
		}
	}
	now := time.Now()
	first := waText(a, realWamid(1), textAnswered, now)
	measure("Customer message answered, new conversation", "meta-webhook",
		"first message: also links the conversation to the customer's consent subject", webhook(first))
	measure("Customer message answered", "meta-webhook",
		"the steady state: a conversation that already exists", webhook(waText(a, realWamid(2), textAnswered2, now.Add(time.Second))))
	// A conversation that remembers conversation.MaxProcessed event ids, as after 32 messages:
	// its record is the largest it gets.
	long := &conversation.Conversation{Key: waKey(l), Status: conversation.Bot, Locale: "de", LastInboundAt: now, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}
	for i := range conversation.MaxProcessed {
		long.MarkProcessed(realWamid(100 + i))
	}
	if err := h.store.PutConversation(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	measure("Customer message answered, long conversation", "meta-webhook",
		fmt.Sprintf("the record holds the last %d event ids (real wamids are %d characters): its writes cost more units", conversation.MaxProcessed, len(realWamid(0))),
		webhook(waText(l, realWamid(6), textAnswered2, now)))
	measure("Duplicate webhook (Meta's retry)", "meta-webhook",
		"moto does not deduplicate after a delete; real SQS drops a retry within 5 minutes (no bot run)", webhook(first))
	measure("Escalation (asks for a person)", "meta-webhook",
		"hand-over note to the customer, card and details in Slack", webhook(waText(a, realWamid(3), textHuman, now.Add(2*time.Second))))
	measure("Customer message while escalated", "meta-webhook",
		"mirrored into the Slack thread, no answer", webhook(waText(a, realWamid(4), textAnswered, now.Add(3*time.Second))))
	c := h.conversation(waKey(a))
	reply := threadReplyEvent("Ev0COST00001", c.ThreadTS, "Ich schaue nach.", time.Now())
	slackEvent := func() {
		if w := h.serve(h.slackRequest("/slack/events", "application/json", reply)); w.Code != http.StatusOK {
			t.Fatalf("slack event = %d %s", w.Code, w.Body)
		}
	}
	measure("Agent reply (Slack event)", "slack", "first reply claims the conversation: the card is redrawn and one status line posted (2 Slack calls, each recorded under the lease: 2 UpdateItems); later replies by the same agent cost neither", slackEvent)
	measure("Slack event retried", "slack", "recognised as seen by the slack function; nothing queued", slackEvent)
	measure("Consent command (opt-out), new conversation", "meta-webhook",
		"ledger record and history in one transaction, confirmation to the customer", webhook(waText(b, realWamid(5), textOptOut, now)))

	durations := benchDurations(t)
	memory := templateMemory(t)
	doc := renderCost(rows, durations, memory)
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "docs", "cost.md")
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with go test ./tests/resilience -run TestCost -update)", err)
	}
	if d := cmp.Diff(string(want), doc); d != "" {
		t.Errorf("docs/cost.md is out of date (go test ./tests/resilience -run TestCost -update) (-file +measured):\n%s", d)
	}
}

// realWamid is a WhatsApp message id of the real length (base64 of the sender and a 20-byte id).
func realWamid(n int) string {
	return fmt.Sprintf("wamid.HBgNNDkxNzEwMDAwMDA0MBUCABIYFDNBQjJGMTEw%014dAA==", n)
}

func diff(after, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// durationsRE finds the CPU times recorded in docs/cost.md.
var durationsRE = regexp.MustCompile(`<!-- cpu: ingress=(\d+)ns bot=(\d+)ns -->`)

// benchDurations returns the CPU time per event of the ingress handler and of the bot: measured
// by their benchmarks with -update, otherwise as recorded in docs/cost.md (a check must not
// depend on the machine's speed).
func benchDurations(t *testing.T) [2]time.Duration {
	t.Helper()
	if *update {
		ingress := testing.Benchmark(BenchmarkIngress)
		bot := testing.Benchmark(BenchmarkBotEvent)
		return [2]time.Duration{time.Duration(ingress.NsPerOp()), time.Duration(bot.NsPerOp())}
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "cost.md"))
	if err != nil {
		t.Fatalf("%v (generate it with go test ./tests/resilience -run TestCost -update)", err)
	}
	m := durationsRE.FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/cost.md has no <!-- cpu: ... --> line (regenerate it with -update)")
	}
	i, _ := strconv.Atoi(string(m[1]))
	b, _ := strconv.Atoi(string(m[2]))
	return [2]time.Duration{time.Duration(i), time.Duration(b)}
}

// templateMemory returns each function's MemorySize in MB from template.yaml (Globals applied).
func templateMemory(t *testing.T) map[string]int {
	t.Helper()
	var tmpl struct {
		Globals struct {
			Function struct {
				MemorySize int `yaml:"MemorySize"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				CodeURI    string `yaml:"CodeUri"`
				MemorySize int    `yaml:"MemorySize"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	testenv.Template(t, &tmpl)
	mem := map[string]int{}
	for _, r := range tmpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(r.Properties.CodeURI, "functions/"), "/")
		mem[name] = r.Properties.MemorySize
		if mem[name] == 0 {
			mem[name] = tmpl.Globals.Function.MemorySize
		}
	}
	for _, fn := range []string{"meta-webhook", "slack", "bot"} {
		if mem[fn] == 0 {
			t.Fatalf("template.yaml: no MemorySize for %s", fn)
		}
	}
	return mem
}

// billedMS is a function's billed duration for one event: its CPU time stretched by the
// fraction of a vCPU its memory buys, plus the assumed latency of each call it waits for,
// rounded up to the millisecond as Lambda bills.
func billedMS(cpu time.Duration, memoryMB int, aws map[string]int, graph, slack int) float64 {
	d := time.Duration(float64(cpu) * float64(lambdaFullVCPUM) / float64(memoryMB))
	for op, n := range aws {
		switch {
		case strings.HasPrefix(op, "DynamoDB."):
			d += time.Duration(n) * latDynamoDB
		case strings.HasPrefix(op, "SQS."):
			d += time.Duration(n) * latSQS
		}
	}
	d += time.Duration(graph)*latGraph + time.Duration(slack)*latSlack
	return math.Ceil(float64(d) / float64(time.Millisecond))
}

// costs is the cost of one event, by line item, in USD.
type costs struct {
	APIGateway, LambdaRequests, LambdaDuration, SQS, DynamoDB, Logs float64
	IngressMS, BotMS                                                float64
}

func (c costs) total() float64 {
	return c.APIGateway + c.LambdaRequests + c.LambdaDuration + c.SQS + c.DynamoDB + c.Logs
}

func costOf(u usage, cpu [2]time.Duration, memory map[string]int) costs {
	var c costs
	c.APIGateway = httpAPIRequest
	c.LambdaRequests = lambdaRequest
	c.IngressMS = billedMS(cpu[0], memory[u.IngressFn], u.Ingress, 0, 0)
	gbs := c.IngressMS / 1000 * float64(memory[u.IngressFn]) / 1024
	if u.Batches > 0 {
		c.LambdaRequests += float64(u.Batches) * lambdaRequest
		c.BotMS = billedMS(cpu[1], memory["bot"], u.Bot, u.Graph, u.Slack)
		gbs += c.BotMS / 1000 * float64(memory["bot"]) / 1024
	}
	c.LambdaDuration = gbs * lambdaGBSecond
	sqs := u.Batches + u.Deletes
	for op, n := range u.Ingress {
		if strings.HasPrefix(op, "SQS.") {
			sqs += n
		}
	}
	for op, n := range u.Bot {
		if strings.HasPrefix(op, "SQS.") {
			sqs += n
		}
	}
	c.SQS = float64(sqs) * sqsFIFORequest
	c.DynamoDB = u.RRU*dynamoRRU + u.WRU*dynamoWRU
	c.Logs = float64(u.IngressLog+u.BotLog) / (1 << 30) * logsIngestGB
	return c
}

func renderCost(rows []usage, cpu [2]time.Duration, memory map[string]int) string {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# What an event costs\n\n")
	p("Generated by `go test ./tests/resilience -run TestCost -update`; the same test without `-update` checks\n")
	p("that the counts below still hold. It drives each kind of event through the stack as deployed\n")
	p("(DynamoDB and SQS FIFO on moto through the real SDK, the strict Graph and Slack fakes) and counts\n")
	p("every AWS request with SDK middleware (`tests/resilience/awsmw_test.go`). The event source's\n")
	p("requests are counted per batch as Lambda's SQS poller makes them (one message per batch: a support\n")
	p("desk's traffic; at full batches of 10 they fall to 0.2 per message).\n\n")
	p("<!-- cpu: ingress=%dns bot=%dns -->\n\n", cpu[0].Nanoseconds(), cpu[1].Nanoseconds())

	p("## AWS requests per event (measured)\n\n")
	p("| Event | Ingress function | Bot | Event source (SQS) | AWS requests | DynamoDB RRU | DynamoDB WRU | Graph / Slack calls | Logs (bytes) |\n")
	p("|---|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, u := range rows {
		p("| %s | %s: %s | %s | %s | %d | %s | %s | %d / %d | %d |\n", u.Event, u.IngressFn, opsCell(u.Ingress), opsCell(u.Bot),
			esmCell(u), u.awsRequests(), units(u.RRU), units(u.WRU), u.Graph, u.Slack, u.IngressLog+u.BotLog)
	}
	p("\n")
	for _, u := range rows {
		p("- *%s*: %s.\n", u.Event, u.Note)
	}
	p("\nRequest units are estimated from the measured item sizes: a strongly consistent read is 1 RRU\n")
	p("per 4 KB, a write 1 WRU per 1 KB (also when its condition fails), a transactional write 2 WRU\n")
	p("per item per 1 KB. Logs are the JSON log lines at INFO and the EMF metric lines the functions\n")
	p("print (CloudWatch Logs ingests both); Lambda's own platform lines are not counted\n")
	p("(`SystemLogLevel: WARN` drops them).\n\n")

	p("## Cost per million events (us-east-1 list prices)\n\n")
	p("| Event | API Gateway | Lambda requests | Lambda duration (ingress + bot ms) | SQS | DynamoDB | CloudWatch Logs | **Total per 1 M** |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, u := range rows {
		c := costOf(u, cpu, memory)
		p("| %s | %s | %s | %s (%.0f + %.0f) | %s | %s | %s | **%s** |\n", u.Event, usd(c.APIGateway), usd(c.LambdaRequests),
			usd(c.LambdaDuration), c.IngressMS, c.BotMS, usd(c.SQS), usd(c.DynamoDB), usd(c.Logs), usd(c.total()))
	}
	p("\nAll figures are per million events, beyond the free tiers. Not included: the idle long polls of\n")
	p("the SQS event source (Lambda keeps pollers running: tens of thousands of empty receives a day\n")
	p("whatever the traffic), DynamoDB storage, data transfer out, SSM parameter reads at cold start,\n")
	p("and Meta's own conversation pricing.\n\n")

	p("### Prices (us-east-1, USD, as of %s)\n\n", pricesDate)
	p("- Lambda arm64: $%.10f per GB-second, $0.20 per million requests.\n", lambdaGBSecond)
	p("- SQS FIFO: $0.50 per million requests (each 64 KB of payload is one request).\n")
	p("- DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units.\n")
	p("- API Gateway HTTP API: $1.00 per million requests (first 300 million a month, per 512 KB).\n")
	p("- CloudWatch Logs: $0.50 per GB ingested (standard class).\n\n")

	p("### Duration model\n\n")
	p("Billed duration = CPU time × %d MB / memory (Lambda gives a full vCPU at %d MB) + the latency of\n", lambdaFullVCPUM, lambdaFullVCPUM)
	p("each call the function waits for, rounded up to 1 ms. CPU time is measured by the benchmarks\n")
	p("(`go test -bench 'Ingress|BotEvent' -benchmem -run '^$' ./tests/resilience/`, recorded at `-update`):\n")
	p("ingress %s, bot %s per event. Latencies are assumptions, not measured here: DynamoDB %v,\n", cpu[0].Round(time.Microsecond), cpu[1].Round(time.Microsecond), latDynamoDB)
	p("SQS %v, Graph API %v, Slack Web API %v per call. Memory from template.yaml: ", latSQS, latGraph, latSlack)
	names := slices.Sorted(maps.Keys(memory))
	var mem []string
	for _, n := range names {
		mem = append(mem, fmt.Sprintf("%s %d MB", n, memory[n]))
	}
	p("%s.\n\n", strings.Join(mem, ", "))

	p("## Against the target\n\n")
	p("The target is at most 3 billable AWS requests per answered customer message besides the reply.\n")
	steady := rows[1]
	own := steady.ingressRequests() + steady.botRequests()
	verdict := "meets the target"
	if own > 3 {
		verdict = "exceeds the target"
	}
	p("The steady state (a conversation that exists) makes %d requests from frontdesk's own functions,\n", own)
	p("which %s: %s in the meta-webhook function and %s in the bot. Lambda's SQS\n", verdict, opsCell(steady.Ingress), opsCell(steady.Bot))
	p("event source adds %s for it (%d in all; at full batches of 10 they fall to\n", esmCell(steady), steady.awsRequests())
	p("0.2 per message). The SQS requests are the price of the queue between ingress and the bot,\n")
	p("the design's answer to Meta's and Slack's deadlines.\n\n")
	p("The bot's requests per answer: one UpdateItem that reads the conversation and leases it to the\n")
	p("worker for this event (`conversation.Store.BeginEvent`), the Graph API call (the reply), one\n")
	p("PutItem that saves the conversation with the event applied and the lease released. A new\n")
	p("conversation, and the first message of a day, add a PutItem linking the conversation to the\n")
	p("customer's consent subject. The record grows with the event ids it remembers\n")
	p("(`conversation.MaxProcessed`): a long conversation's writes cost more units, not more requests.\n\n")
	p("A call is recorded in the store (`RecordDone`, an UpdateItem) only before a second call for\n")
	p("the same event, when the save fails, or when the event fails: a redelivery then finds it made\n")
	p("(`TestCompleteSendFails`). The lease (2 minutes) outlasts the bot's timeout (30 s) and ends\n")
	p("before the queue redelivers (visibility timeout 180 s): another worker with the same event\n")
	p("waits (`TestSameEventTenWorkersAtOnce`), and a dead worker's event is taken over, without the\n")
	p("call it made but had not recorded. A worker that dies between the Graph call and the save\n")
	p("therefore sends the answer twice on redelivery: with no idempotency key at Meta, closing that\n")
	p("window would take a write before every call and lose the answer of a worker that dies before\n")
	p("sending; frontdesk prefers the rare duplicate (README, design decisions).\n")
	return b.String()
}

// opsCell lists operations as "GetItem 1, PutItem 2".
func opsCell(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(m)) {
		_, name, _ := strings.Cut(op, ".")
		parts = append(parts, fmt.Sprintf("%s %d", name, m[op]))
	}
	return strings.Join(parts, ", ")
}

func esmCell(u usage) string {
	if u.Batches == 0 && u.Deletes == 0 {
		return "none"
	}
	return fmt.Sprintf("ReceiveMessage %d, DeleteMessageBatch %d", u.Batches, u.Deletes)
}

func units(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// usd formats the cost of one event as dollars per million events.
func usd(perEvent float64) string { return fmt.Sprintf("$%.3f", perEvent*1e6) }

// callsOf returns the outbound calls to service ("graph", "slack").
func (o *outbound) callsOf(service string) []outCall {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []outCall
	for _, c := range o.calls {
		if c.Service == service {
			out = append(out, c)
		}
	}
	return out
}

// roleHandler is the functions' log handler as configured in Lambda (JSON, INFO) that counts
// the bytes of each line for the role of its context, with a time of fixed length so the
// counts do not depend on the clock.
type roleHandler struct {
	w   *roleWriter
	ops []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, replayed per line
}

func (h roleHandler) json(w io.Writer) slog.Handler {
	var jh slog.Handler = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.String(slog.TimeKey, "2026-11-28T10:00:00.000000000Z")
			}
			return a
		}})
	for _, op := range h.ops {
		jh = op(jh)
	}
	return jh
}

func (h roleHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h roleHandler) Handle(ctx context.Context, r slog.Record) error {
	var buf bytes.Buffer
	err := h.json(&buf).Handle(ctx, r)
	h.w.add(role(ctx), buf.Len())
	return err
}

func (h roleHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return roleHandler{w: h.w, ops: append(slices.Clip(h.ops), func(x slog.Handler) slog.Handler { return x.WithAttrs(as) })}
}

func (h roleHandler) WithGroup(name string) slog.Handler {
	return roleHandler{w: h.w, ops: append(slices.Clip(h.ops), func(x slog.Handler) slog.Handler { return x.WithGroup(name) })}
}

// botWriter counts what it is given as the bot's (EMF lines: only the bot records metrics).
type botWriter struct{ w *roleWriter }

func (b botWriter) Write(p []byte) (int, error) {
	b.w.add("bot", len(p))
	return len(p), nil
}

// costObservability returns the logger and EMF recorder of the functions, counting bytes into w.
func costObservability(w *roleWriter) (*slog.Logger, metrics.Recorder) {
	e := metrics.NewEMF(botWriter{w}, "bot")
	e.Now = func() time.Time { return time.UnixMilli(1795000000000) }
	return slog.New(roleHandler{w: w}), fixedDurations{e}
}

// fixedDurations records every duration as five minutes, so the length of an EMF line does
// not depend on how fast the test ran.
type fixedDurations struct{ metrics.Recorder }

func (f fixedDurations) Milliseconds(name string, _ time.Duration) {
	f.Recorder.Milliseconds(name, 5*time.Minute)
}
