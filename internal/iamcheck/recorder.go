package iamcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Call is one kind of AWS request a function made: the IAM action it needs and the resource it
// acts on. Calls that differ only in their keys' values are one Call.
type Call struct {
	Function string   // the function that made it ("slack")
	Action   string   // the IAM action ("dynamodb:Query", "sqs:SendMessage", "ssm:GetParameters")
	Resource Resource // what it acted on
	// LeadingKeys are the partition key values of one such request (IAM's dynamodb:LeadingKeys
	// condition key); empty for a query of an index and outside DynamoDB.
	LeadingKeys []string
}

// Resource is what a call acts on, by name, as the function called it (the names in the test
// world: a test's table and queue, its SECRETS_PREFIX).
type Resource struct {
	Kind  string // "table", "queue", "parameter"
	Name  string // the table's or queue's name, the parameter's full name
	Index string // a DynamoDB index, or ""
	// KeyPrefix is the partition key's prefix up to and including its first '#' ("EVENT#"), or
	// a key without '#' whole: which kind of item a DynamoDB call touches.
	KeyPrefix string
}

func (r Resource) String() string {
	s := r.Kind + " " + r.Name
	if r.Index != "" {
		s += " index " + r.Index
	}
	if r.KeyPrefix != "" {
		s += " key " + r.KeyPrefix + "*"
	}
	return s
}

func (c Call) String() string { return c.Function + ": " + c.Action + " on " + c.Resource.String() }

// key is what makes calls distinct: the test world's tables and queues are all the one of the
// template (Binding), a parameter is its base name below the prefix.
func (c Call) key() string {
	name := ""
	if c.Resource.Kind == "parameter" {
		name = path.Base(c.Resource.Name)
	}
	return strings.Join([]string{c.Function, c.Action, c.Resource.Kind, name, c.Resource.Index, c.Resource.KeyPrefix}, "|")
}

// Recorder stands between the functions and the AWS endpoint (moto): each function gets its own
// endpoint URL (one server, a path per function), and every request through it is recorded as
// that function's calls, then passed on unchanged.
type Recorder struct {
	partitionKey string
	srv          *httptest.Server

	mu    sync.Mutex
	calls map[string]Call // by Call.key
}

// NewRecorder records the calls to the AWS endpoint upstream; partitionKey is the DynamoDB
// tables' partition key attribute ("pk"). Close stops it.
func NewRecorder(upstream, partitionKey string) (*Recorder, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %w", upstream, err)
	}
	r := &Recorder{partitionKey: partitionKey, calls: map[string]Call{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rest, ok := strings.CutPrefix(req.URL.Path, "/fn/")
		function, p, _ := strings.Cut(rest, "/")
		if !ok {
			http.Error(w, "not a function's endpoint: "+req.URL.Path, http.StatusNotFound)
			return
		}
		if function == "-" {
			// A client shared by several functions: the Tag middleware names the function.
			function = req.Header.Get(functionHeader)
			req.Header.Del(functionHeader)
		}
		if function == "" {
			function = Unattributed
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.URL.Path, req.URL.RawPath = "/"+p, ""
		r.record(function, req, body)
		proxy.ServeHTTP(w, req)
	}))
	return r, nil
}

// Close stops the recorder's server.
func (r *Recorder) Close() { r.srv.Close() }

// Unattributed is the function of a request through Endpoint("") that no WithFunction named.
const Unattributed = "(no function)"

// Endpoint returns an AWS endpoint URL (AWS_ENDPOINT_URL) whose requests are recorded as
// function's. For "", the function of each request is the one its context names (WithFunction,
// with the Tag middleware on the client).
func (r *Recorder) Endpoint(function string) string {
	if function == "" {
		function = "-"
	}
	return r.srv.URL + "/fn/" + url.PathEscape(function)
}

// Calls returns the calls recorded so far, sorted.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Call
	for _, k := range slices.Sorted(maps.Keys(r.calls)) {
		out = append(out, r.calls[k])
	}
	return out
}

func (r *Recorder) record(function string, req *http.Request, body []byte) {
	calls := r.parse(function, req, body)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range calls {
		if _, ok := r.calls[c.key()]; !ok {
			r.calls[c.key()] = c
		}
	}
}

// parse turns one request into the calls IAM authorises it as. A request it cannot read is
// recorded as the action "unknown:<target>", which no policy grants: the check fails until
// parse learns it.
func (r *Recorder) parse(function string, req *http.Request, body []byte) []Call {
	target := req.Header.Get("X-Amz-Target")
	service, op, ok := strings.Cut(target, ".")
	if !ok {
		// The query protocol (form-encoded Action=...), which older SQS clients speak.
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
			return r.sqs(function, form.Get("Action"), form.Get("QueueUrl"))
		}
		return []Call{{Function: function, Action: "unknown:" + req.Method + " " + req.URL.Path}}
	}
	unknown := []Call{{Function: function, Action: "unknown:" + target}}
	switch {
	case strings.HasPrefix(service, "DynamoDB_"):
		calls, err := r.dynamodb(function, op, body)
		if err != nil {
			return unknown
		}
		return calls
	case service == "AmazonSQS":
		var in struct{ QueueUrl string }
		if json.Unmarshal(body, &in) != nil {
			return unknown
		}
		return r.sqs(function, op, in.QueueUrl)
	case service == "AmazonSSM":
		var in struct {
			Name  string
			Names []string
			Path  string
		}
		if json.Unmarshal(body, &in) != nil {
			return unknown
		}
		var calls []Call
		for _, n := range append(in.Names, in.Name, in.Path) {
			if n != "" {
				calls = append(calls, Call{Function: function, Action: "ssm:" + op, Resource: Resource{Kind: "parameter", Name: n}})
			}
		}
		return calls
	}
	return unknown
}

// sqsActions maps the batch operations to the action IAM checks for them.
var sqsActions = map[string]string{
	"SendMessageBatch":             "SendMessage",
	"DeleteMessageBatch":           "DeleteMessage",
	"ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

func (r *Recorder) sqs(function, op, queueURL string) []Call {
	if a, ok := sqsActions[op]; ok {
		op = a
	}
	return []Call{{Function: function, Action: "sqs:" + op, Resource: Resource{Kind: "queue", Name: path.Base(queueURL)}}}
}

type attrs map[string]map[string]any

// dynamoItem is one item action of a request: a table and the key or item it names.
type dynamoItem struct {
	TableName string
	Key, Item attrs
}

func (r *Recorder) dynamodb(function, op string, body []byte) ([]Call, error) {
	var in struct {
		TableName                 string
		IndexName                 string
		Key, Item                 attrs
		KeyConditionExpression    string
		ExpressionAttributeNames  map[string]string
		ExpressionAttributeValues attrs
		TransactItems             []map[string]dynamoItem
		RequestItems              map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	call := func(action string, table, index, key string) Call {
		c := Call{Function: function, Action: "dynamodb:" + action, Resource: Resource{Kind: "table", Name: table, Index: index}}
		if key != "" {
			c.LeadingKeys = []string{key}
			if p, _, ok := strings.Cut(key, "#"); ok {
				c.Resource.KeyPrefix = p + "#"
			} else {
				c.Resource.KeyPrefix = key // a fixed partition ("KBSUGGESTION")
			}
		}
		return c
	}
	switch op {
	case "TransactWriteItems", "TransactGetItems":
		// IAM authorises each item action of a transaction on its own.
		actions := map[string]string{"ConditionCheck": "ConditionCheckItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "Get": "GetItem"}
		var calls []Call
		for _, ti := range in.TransactItems {
			for kind, it := range ti {
				a, ok := actions[kind]
				if !ok {
					return nil, fmt.Errorf("transaction item %s", kind)
				}
				calls = append(calls, call(a, it.TableName, "", r.key(it.Key, it.Item)))
			}
		}
		return calls, nil
	case "BatchWriteItem", "BatchGetItem":
		var calls []Call
		for table := range in.RequestItems {
			calls = append(calls, call(op, table, "", ""))
		}
		return calls, nil
	case "Query":
		key := ""
		if in.IndexName == "" {
			key = r.queryKey(in.KeyConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
		}
		return []Call{call(op, in.TableName, in.IndexName, key)}, nil
	case "Scan":
		return []Call{call(op, in.TableName, in.IndexName, "")}, nil
	}
	return []Call{call(op, in.TableName, "", r.key(in.Key, in.Item))}, nil
}

// key is the partition key value of a key or item.
func (r *Recorder) key(key, item attrs) string {
	for _, m := range []attrs{key, item} {
		if v, ok := m[r.partitionKey]["S"].(string); ok {
			return v
		}
	}
	return ""
}

var equality = regexp.MustCompile(`(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)

// queryKey is the partition key value a key condition expression binds.
func (r *Recorder) queryKey(expr string, names map[string]string, values attrs) string {
	for _, m := range equality.FindAllStringSubmatch(expr, -1) {
		name := m[1]
		if n, ok := names[name]; ok {
			name = n
		}
		if name == r.partitionKey {
			if v, ok := values[m[2]]["S"].(string); ok {
				return v
			}
		}
	}
	return ""
}
