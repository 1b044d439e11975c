package resilience_test

import (
	"os"
	"path/filepath"
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
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string    `yaml:"Type"`
			Properties yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
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
			a.Actions = field(p, "AlarmActions") != nil
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
	for metric, fn := range map[string]string{metrics.DeliveriesFailed: "BotFunction", metrics.SignaturesRejected: "MetaWebhookFunction"} {
		if !has(func(a alarm) bool {
			return a.Namespace == metrics.Namespace && a.Metric == metric && a.Dimensions["Function"] == "!Ref "+fn
		}) {
			t.Errorf("no alarm on %s of %s", metric, fn)
		}
	}
	// An alarm that notifies nobody is a dashboard: each has actions (when a topic is given).
	for _, a := range alarms {
		if !a.Actions {
			t.Errorf("alarm %s has no AlarmActions", a.Name)
		}
	}
}
