// Package metrics records frontdesk's business and health metrics in CloudWatch embedded metric
// format (EMF): one JSON object per line on the function's standard output, from which CloudWatch
// Logs extracts the metrics without an API call (no PutMetricData, no extra latency or cost).
//
// See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package metrics

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Metric names. Alarms and dashboards in template.yaml refer to them.
const (
	MessagesIn          = "MessagesIn"          // customer messages the bot processed
	Answered            = "Answered"            // answered from the FAQ
	AskedBack           = "AskedBack"           // asked back with candidates or to rephrase
	Escalated           = "Escalated"           // handed to agents
	TimeToClaim         = "TimeToClaim"         // escalation to claim, milliseconds
	DeliveriesFailed    = "DeliveriesFailed"    // replies the platform refused for good
	SignaturesRejected  = "SignaturesRejected"  // webhooks with a missing or wrong signature
	UnknownAccounts     = "UnknownAccounts"     // signed webhook events for an account not configured
	ConsentSuppressions = "ConsentSuppressions" // ad signals not sent for lack of consent
	AgentReplies        = "AgentReplies"        // agent messages delivered to customers
	StaleAnswersDropped = "StaleAnswersDropped" // bot answers not sent: the message came too late or the window closed
	Acknowledged        = "Acknowledged"        // likes, stickers and other acknowledgements, not answered
	CommentsModerated   = "CommentsModerated"   // abusive or spam comments given no private reply
	SuggestionsMade     = "SuggestionsMade"     // knowledge-base suggestions agents made ("Add to FAQ")
	SuggestionsAccepted = "SuggestionsAccepted" // suggestions found in the knowledge base the bot runs (merged)
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "frontdesk"

// Recorder records metrics. Implementations are safe for concurrent use.
type Recorder interface {
	// Count adds n to the named counter.
	Count(name string, n int)
	// Milliseconds records a duration.
	Milliseconds(name string, d time.Duration)
}

// Discard records nothing.
type Discard struct{}

// Count does nothing.
func (Discard) Count(string, int) {}

// Milliseconds does nothing.
func (Discard) Milliseconds(string, time.Duration) {}

// EMF writes each metric as one embedded-metric-format line to W, with the dimension Function.
type EMF struct {
	W        io.Writer
	Function string
	Now      func() time.Time

	mu sync.Mutex
}

// NewEMF returns an EMF recorder for the named function writing to w.
func NewEMF(w io.Writer, function string) *EMF { return &EMF{W: w, Function: function, Now: time.Now} }

// Count implements Recorder.
func (e *EMF) Count(name string, n int) { e.write(name, "Count", float64(n)) }

// Milliseconds implements Recorder.
func (e *EMF) Milliseconds(name string, d time.Duration) {
	e.write(name, "Milliseconds", float64(d.Milliseconds()))
}

type directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []struct {
		Name string `json:"Name"`
		Unit string `json:"Unit"`
	} `json:"Metrics"`
}

func (e *EMF) write(name, unit string, v float64) {
	d := directive{Namespace: Namespace, Dimensions: [][]string{{"Function"}}}
	d.Metrics = append(d.Metrics, struct {
		Name string `json:"Name"`
		Unit string `json:"Unit"`
	}{name, unit})
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	line, err := json.Marshal(map[string]any{
		"_aws":     map[string]any{"Timestamp": now().UnixMilli(), "CloudWatchMetrics": []directive{d}},
		"Function": e.Function,
		name:       v,
	})
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.W.Write(append(line, '\n'))
}
