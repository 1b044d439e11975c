package resilience_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// A message that lands in the dead-letter queue raises an alarm, and
// every function's errors do.

// alarm is a CloudWatch alarm of template.yaml, with its intrinsic references as written
// ("!GetAtt EventDeadLetterQueue.QueueName").
type alarm struct {
	Name, Namespace, Metric, Comparison, Threshold string
	Dimensions                                     map[string]string
	Actions                                        bool
}

// templateAlarms returns the alarms, functions and dead-letter queues (the queues a
// RedrivePolicy names) of template.yaml.
func templateAlarms(t *testing.T) (alarms []alarm, functions, dlqs []string) {
	t.Helper()
	var tmpl struct {
		Resources map[string]struct {
			Type       string    `yaml:"Type"`
			Properties yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	testenv.Template(t, &tmpl)
	for name, r := range tmpl.Resources {
		switch r.Type {
		case "AWS::Serverless::Function":
			functions = append(functions, name)
		case "AWS::SQS::Queue":
			target := scalar(field(field(&r.Properties, "RedrivePolicy"), "deadLetterTargetArn"))
			if q, ok := strings.CutPrefix(target, "!GetAtt "); ok {
				dlqs = append(dlqs, strings.TrimSuffix(q, ".Arn"))
			}
		case "AWS::CloudWatch::Alarm":
			a := alarm{Name: name, Dimensions: map[string]string{}}
			p := &r.Properties
			a.Namespace, a.Metric = scalar(field(p, "Namespace")), scalar(field(p, "MetricName"))
			a.Comparison, a.Threshold = scalar(field(p, "ComparisonOperator")), scalar(field(p, "Threshold"))
			a.Actions = notifiesTopic(field(p, "AlarmActions")) && notifiesTopic(field(p, "OKActions"))
			if dims := field(p, "Dimensions"); dims != nil {
				for _, d := range dims.Content {
					a.Dimensions[scalar(field(d, "Name"))] = scalar(field(d, "Value"))
				}
			}
			alarms = append(alarms, a)
		}
	}
	return alarms, functions, dlqs
}

// field returns the value node of key in the mapping n, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalar is a scalar's value with its tag if it is an intrinsic function ("!Ref X").
func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return n.Tag + " " + n.Value
	}
	return n.Value
}

func TestTemplateAlarms(t *testing.T) {
	t.Parallel()
	alarms, functions, dlqs := templateAlarms(t)
	if len(functions) == 0 || len(dlqs) == 0 {
		t.Fatalf("template.yaml: %d functions, %d dead-letter queues", len(functions), len(dlqs))
	}
	has := func(match func(alarm) bool) bool { return slices.ContainsFunc(alarms, match) }

	// Every dead-letter queue alarms on its first message.
	for _, q := range dlqs {
		if !has(func(a alarm) bool {
			return a.Namespace == "AWS/SQS" && a.Metric == "ApproximateNumberOfMessagesVisible" &&
				a.Dimensions["QueueName"] == "!GetAtt "+q+".QueueName" &&
				a.Comparison == "GreaterThanThreshold" && a.Threshold == "0"
		}) {
			t.Errorf("no alarm on the first message in dead-letter queue %s", q)
		}
	}
	// Every function's errors raise an alarm.
	for _, fn := range functions {
		if !has(func(a alarm) bool {
			return a.Namespace == "AWS/Lambda" && a.Metric == "Errors" && a.Dimensions["FunctionName"] == "!Ref "+fn
		}) {
			t.Errorf("no Errors alarm for %s", fn)
		}
	}
	// The HTTP API's 5xx answers (a failed enqueue, Meta and Slack retry) raise an alarm.
	if !has(func(a alarm) bool { return a.Namespace == "AWS/ApiGateway" && a.Metric == "5xx" }) {
		t.Error("no alarm on the HTTP API's 5xx answers")
	}
	// The business metrics the functions emit (EMF, namespace frontdesk) that need a person.
	for _, m := range []struct{ metric, fn string }{
		{metrics.DeliveriesFailed, "BotFunction"},
		{metrics.SignaturesRejected, "MetaWebhookFunction"},
		{metrics.SignaturesRejected, "SlackFunction"},
		{metrics.UnknownAccounts, "MetaWebhookFunction"},
	} {
		if !has(func(a alarm) bool {
			return a.Namespace == metrics.Namespace && a.Metric == m.metric && a.Dimensions["Function"] == "!Ref "+m.fn
		}) {
			t.Errorf("no alarm on %s of %s", m.metric, m.fn)
		}
	}
	// An alarm that notifies nobody is a dashboard: each notifies the given topic or, by
	// default, the stack's own.
	for _, a := range alarms {
		if !a.Actions {
			t.Errorf("alarm %s does not notify the alarm topic (given or the stack's own) in AlarmActions and OKActions", a.Name)
		}
	}
}

// notifiesTopic reports whether an alarm's actions are [!If [HasAlarmTopic, !Ref AlarmTopicArn,
// !Ref AlarmTopic]]: the given topic, else the stack's own, never none.
func notifiesTopic(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) != 1 {
		return false
	}
	cond := n.Content[0]
	return cond.Tag == "!If" && len(cond.Content) == 3 && cond.Content[0].Value == "HasAlarmTopic" &&
		scalar(cond.Content[1]) == "!Ref AlarmTopicArn" && scalar(cond.Content[2]) == "!Ref AlarmTopic"
}

// TestAccessLogs: the HTTP API logs each request to its own log group, with none of what may
// hold a token, a person's data or a code: no bodies, no path or query string, no headers,
// no caller IP.
func TestAccessLogs(t *testing.T) {
	t.Parallel()
	var tmpl struct {
		Resources map[string]struct {
			Type       string    `yaml:"Type"`
			Properties yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	testenv.Template(t, &tmpl)
	apis := 0
	for name, r := range tmpl.Resources {
		if r.Type != "AWS::Serverless::HttpApi" {
			continue
		}
		apis++
		logs := field(&r.Properties, "AccessLogSettings")
		dest, format := scalar(field(logs, "DestinationArn")), scalar(field(logs, "Format"))
		if lg, ok := strings.CutPrefix(dest, "!GetAtt "); !ok || tmpl.Resources[strings.TrimSuffix(lg, ".Arn")].Type != "AWS::Logs::LogGroup" {
			t.Errorf("%s: access logs go to %q, want a log group of the template", name, dest)
		}
		var fields map[string]string
		if err := json.Unmarshal([]byte(format), &fields); err != nil {
			t.Errorf("%s: access log format is not a JSON object: %v", name, err)
		}
		for _, want := range []string{"$context.requestId", "$context.routeKey", "$context.status"} {
			if !strings.Contains(format, want) {
				t.Errorf("%s: access log format lacks %s", name, want)
			}
		}
		for _, banned := range []string{"$context.path", "$input", "$request", "querystring", "$context.identity", "$context.authorizer", "$context.customDomain"} {
			if strings.Contains(strings.ToLower(format), strings.ToLower(banned)) {
				t.Errorf("%s: access log format logs %s", name, banned)
			}
		}
	}
	if apis == 0 {
		t.Fatal("template.yaml has no HTTP API")
	}
}
