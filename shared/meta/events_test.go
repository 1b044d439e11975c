package meta

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// eventsDir holds the sample API Gateway v2 events for `sam local invoke -e` and the
// function's tests. They are generated from testdata/ by `go test -update`, so they cannot rot.
var eventsDir = filepath.Join("..", "..", "events", "meta-webhook")

// sampleEvent is one generated API Gateway HTTP API (payload 2.0) event and the status the
// webhook answers it with.
type sampleEvent struct {
	name    string
	payload string // testdata file the body came from, "" for GET
	status  int
	event   apiEvent
}

// apiEvent is the JSON shape of events.APIGatewayV2HTTPRequest, written by hand so the files
// hold only what API Gateway sends (the SDK type writes empty authentication blocks).
type apiEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        apiContext        `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type apiContext struct {
	AccountID    string  `json:"accountId"`
	APIID        string  `json:"apiId"`
	DomainName   string  `json:"domainName"`
	DomainPrefix string  `json:"domainPrefix"`
	HTTP         apiHTTP `json:"http"`
	RequestID    string  `json:"requestId"`
	RouteKey     string  `json:"routeKey"`
	Stage        string  `json:"stage"`
	Time         string  `json:"time"`
	TimeEpoch    int64   `json:"timeEpoch"`
}

type apiHTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func newAPIEvent(method, query string, headers map[string]string, body string, b64 bool, n int) apiEvent {
	h := map[string]string{
		"host":              "abc123defg.execute-api.eu-central-1.amazonaws.com",
		"user-agent":        "facebookexternalua",
		"x-forwarded-for":   "173.252.107.1",
		"x-forwarded-port":  "443",
		"x-forwarded-proto": "https",
	}
	for k, v := range headers {
		h[k] = v
	}
	e := apiEvent{
		Version:        "2.0",
		RouteKey:       method + " " + Path,
		RawPath:        Path,
		RawQueryString: query,
		Headers:        h,
		RequestContext: apiContext{
			AccountID: "123456789012", APIID: "abc123defg",
			DomainName: "abc123defg.execute-api.eu-central-1.amazonaws.com", DomainPrefix: "abc123defg",
			HTTP:      apiHTTP{Method: method, Path: Path, Protocol: "HTTP/1.1", SourceIP: "173.252.107.1", UserAgent: "facebookexternalua"},
			RequestID: "Jq7Yzi" + strconv.Itoa(1000+n) + "EMA=", RouteKey: method + " " + Path, Stage: "$default",
			Time: "09/Jun/2025:20:59:43 +0000", TimeEpoch: 1749502783000,
		},
		Body:            body,
		IsBase64Encoded: b64,
	}
	if query != "" {
		v, _ := url.ParseQuery(query)
		e.QueryStringParameters = map[string]string{}
		for k := range v {
			e.QueryStringParameters[k] = v.Get(k)
		}
	}
	return e
}

func signedPost(body []byte, sig string, b64 bool, n int) apiEvent {
	h := map[string]string{"content-type": "application/json", "content-length": strconv.Itoa(len(body)), "x-hub-signature-256": sig}
	s := string(body)
	if b64 {
		s = base64.StdEncoding.EncodeToString(body)
	}
	return newAPIEvent("POST", "", h, s, b64, n)
}

// sampleEvents builds every sample event: each testdata payload signed with the local app
// secret, a base64-encoded body, a bad signature, and the GET handshake with a good and a bad
// verify token.
func sampleEvents(t testing.TB) []sampleEvent {
	t.Helper()
	var out []sampleEvent
	for i, file := range payloads(t) {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		out = append(out, sampleEvent{name: name, payload: file, status: 200, event: signedPost(body, Sign(body, testSecret), false, i)})
	}
	text := "testdata/whatsapp_text.json"
	body, err := os.ReadFile(text)
	if err != nil {
		t.Fatal(err)
	}
	n := len(out)
	out = append(out,
		sampleEvent{name: "whatsapp_text_base64", payload: text, status: 200, event: signedPost(body, Sign(body, testSecret), true, n)},
		sampleEvent{name: "bad_signature", status: 401, event: signedPost(body, Sign(body, []byte("not-the-app-secret")), false, n+1)},
		sampleEvent{name: "verify_good", status: 200, event: newAPIEvent("GET", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="+testVerifyToken, nil, "", false, n+2)},
		sampleEvent{name: "verify_bad_token", status: 403, event: newAPIEvent("GET", "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong-token", nil, "", false, n+3)},
	)
	return out
}

func encodeEvent(t testing.TB, e apiEvent) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSampleEvents keeps events/meta-webhook in step with testdata/ and drives every file
// through the webhook behind the API Gateway v2 adapter the Lambda uses.
func TestSampleEvents(t *testing.T) {
	samples := sampleEvents(t)
	if *update {
		old, _ := filepath.Glob(filepath.Join(eventsDir, "*.json"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(eventsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			if err := os.WriteFile(filepath.Join(eventsDir, s.name+".json"), encodeEvent(t, s.event), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(eventsDir, "*.json"))
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	var want []string
	for _, s := range samples {
		want = append(want, s.name)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("events/meta-webhook is out of date, run go test -update (-want +got):\n%s", diff)
	}
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(eventsDir, s.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, encodeEvent(t, s.event)) {
				t.Fatalf("%s differs from what testdata generates, run go test -update", s.name)
			}
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				t.Fatalf("not an APIGatewayV2HTTPRequest: %v", err)
			}
			q := &recorder{}
			resp, err := httpadapter.NewV2(newTestWebhook(q)).ProxyWithContext(context.Background(), req)
			if err != nil {
				t.Fatalf("proxy: %v", err)
			}
			if resp.StatusCode != s.status {
				t.Fatalf("status = %d, want %d (body %s)", resp.StatusCode, s.status, resp.Body)
			}
			if s.payload == "" {
				if s.status == 200 && resp.Body != "1158201444" {
					t.Errorf("handshake body = %q, want the challenge", resp.Body)
				}
				return
			}
			body := []byte(req.Body)
			if req.IsBase64Encoded {
				if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
					t.Fatal(err)
				}
			}
			got := goldenOf(t, body)
			checkGolden(t, s.payload, got)
			var queued []channel.Inbound
			for _, m := range q.messages() {
				var ev channel.Event
				if err := json.Unmarshal(m.Body, &ev); err != nil || ev.Inbound == nil {
					t.Fatalf("queued body %s: %v", m.Body, err)
				}
				queued = append(queued, *ev.Inbound)
			}
			var wantQueued []channel.Inbound
			for _, in := range got.Events {
				if Enqueue(in) {
					wantQueued = append(wantQueued, in)
				}
			}
			if diff := cmp.Diff(wantQueued, queued); diff != "" {
				t.Errorf("queued events differ from the parsed ones the bot acts on (-want +got):\n%s", diff)
			}
		})
	}
}
