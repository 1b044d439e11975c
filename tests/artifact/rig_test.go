//go:build linux

package artifact_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// The accounts, tokens and secrets of the rig: the local values of events/env.json, so the
// events files (signatures, the data deletion code) hold for `sam local invoke` too. The Slack
// channel is the desk of events/slack.
const (
	phoneID        = "106540352242922" // WhatsApp phone number id of the events
	pageID         = "1057330340943421"
	instagramID    = "17841405309211844"
	whatsappToken  = "local-whatsapp-token"
	pageToken      = "local-page-token"
	instagramToken = "local-instagram-token"
	slackToken     = "xoxb-local-bot-token"
	slackChannel   = "C0DESK"
	slackTeam      = "T0FRONTDSK" // the workspace and app of events/slack
	slackApp       = "A0FRONTDSK"
	appSecret      = "local-app-secret"
	verifyToken    = "local-verify-token"
	slackSecret    = "local-slack-secret"
	consentKey     = "local-consent-key"
	subjectPepper  = "local-subject-pepper"
	publicBaseURL  = "https://frontdesk.example.com"
)

// rig is one function's world: its bootstrap under the emulator, its own DynamoDB table and
// FIFO queue on moto, strict Graph and Slack fakes, and the traffic trap as its proxy.
type rig struct {
	fn       string
	table    string
	queueURL string
	store    *dynamo.Store
	sqs      *sqs.Client
	graph    *graphtest.Server
	slack    *slacktest.Server
	trap     *trafficTrap
	environ  []string // the function's whole environment
	proc     *lambdaProc
}

// newRig builds the world of function fn and starts its bootstrap under the emulator; env
// overrides the function's environment (a value of "" removes the variable).
func newRig(tb testing.TB, fn string, env map[string]string) *rig {
	tb.Helper()
	bins := artifacts(tb)
	bootstrap, ok := bins.bootstrap[fn]
	if !ok {
		tb.Fatalf("no bootstrap for %s", fn)
	}
	r := prepareRig(tb, fn, env)
	r.proc = launch(tb, bins.rie, bootstrap, fn, r.environ)
	r.proc.waitReady(tb)
	return r
}

// prepareRig builds the world of function fn without starting it.
func prepareRig(tb testing.TB, fn string, env map[string]string) *rig {
	tb.Helper()
	r := &rig{fn: fn}
	r.resources(tb)
	r.graph = graphtest.New(tb, graphtest.Accounts{
		WhatsApp:  map[string]string{phoneID: whatsappToken},
		Pages:     map[string]string{pageID: pageToken},
		Instagram: map[string]string{instagramID: instagramToken},
	})
	r.slack = slacktest.New(tb, slackToken, slackChannel)
	r.trap = newTrafficTrap(tb)
	r.environ = r.env(tb, env)
	return r
}

// resources creates the function's table and queue on moto.
func (r *rig) resources(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	cfg := testenv.AWSConfig(t)
	suffix := fmt.Sprintf("%s-%d", r.fn, time.Now().UnixNano())
	r.table = "artifact-" + suffix
	ddb := dynamodb.NewFromConfig(cfg)
	if err := dynamo.CreateTable(ctx, ddb, r.table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		_, _ = ddb.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(r.table)})
	})
	r.store = dynamo.New(ddb, r.table)
	r.sqs = sqs.NewFromConfig(cfg)
	out, err := r.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String("artifact-" + suffix + ".fifo"),
		Attributes: map[string]string{"FifoQueue": "true"},
	})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	r.queueURL = aws.ToString(out.QueueUrl)
	t.Cleanup(func() {
		_, _ = r.sqs.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl})
	})
}

// env is the function's whole environment: the Lambda platform's part (platformEnv), what the
// SAM template gives every function, the local secrets, the fakes' URLs, then overrides (a
// value of "" removes the variable).
func (r *rig) env(t testing.TB, overrides map[string]string) []string {
	t.Helper()
	vars := r.platformEnv(t)
	maps.Copy(vars, map[string]string{
		"FRONTDESK_TABLE":     r.table,
		"FRONTDESK_QUEUE_URL": r.queueURL,
		"GRAPH_API_BASE_URL":  r.graph.URL(),
		"GRAPH_API_VERSION":   "v25.0",
		"SLACK_API_URL":       r.slack.URL(),
		"SLACK_CHANNEL":       slackChannel,
		"RETENTION_DAYS":      "30",
		"CONSENT_REGIME":      "opt-in",
		"PUBLIC_BASE_URL":     publicBaseURL,

		"META_APP_SECRET":       appSecret,
		"META_VERIFY_TOKEN":     verifyToken,
		"WHATSAPP_TOKEN":        whatsappToken,
		"PAGE_TOKEN":            pageToken,
		"INSTAGRAM_TOKEN":       instagramToken,
		"INSTAGRAM_ACCOUNT_IDS": instagramID,
		// The accounts of the events (the phone number of the rig and the second number of
		// whatsapp_batch, the Page of the events and the rig's): events for others are dropped.
		"WHATSAPP_PHONE_NUMBER_IDS": phoneID + ",109876543210987",
		"PAGE_IDS":                  "1067280970047460," + pageID,
		"SLACK_BOT_TOKEN":           slackToken,
		"SLACK_SIGNING_SECRET":      slackSecret,
		"SLACK_TEAM_IDS":            slackTeam,
		"SLACK_APP_ID":              slackApp,
		"CONSENT_API_KEY":           consentKey,
		"SUBJECT_PEPPER":            subjectPepper,
	})
	maps.Copy(vars, overrides)
	return environ(vars)
}

// platformEnv is what Lambda and the test rig give every function: the function's name and
// timeout, region and credentials, moto as the one AWS endpoint, and the trap as the proxy.
// Nothing comes from the test's own environment (no real credentials, no user config).
func (r *rig) platformEnv(t testing.TB) map[string]string {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	return map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":    "frontdesk-" + r.fn,
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "30",
		"AWS_REGION":                  testenv.Region,
		"AWS_DEFAULT_REGION":          testenv.Region,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		// moto, through the recorder of the function's AWS calls (permissions_test.go).
		"AWS_ENDPOINT_URL":            permissions.Endpoint(t, r.fn),
		"AWS_CONFIG_FILE":             none,
		"AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"HOME":                        filepath.Dir(none),
		"TZ":                          "UTC",
		// Everything not on loopback goes to the trap.
		"HTTPS_PROXY": r.trap.URL(),
		"HTTP_PROXY":  r.trap.URL(),
		"https_proxy": r.trap.URL(),
		"http_proxy":  r.trap.URL(),
	}
}

// environ turns vars into an environment, sorted, leaving out empty values.
func environ(vars map[string]string) []string {
	var env []string
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		if vars[k] != "" {
			env = append(env, k+"="+vars[k])
		}
	}
	return env
}

// drain receives and deletes every message on the function's queue. moto forgets a FIFO
// deduplication id once its message is deleted (SQS would remember it for five minutes), so
// events files that carry the same platform event id each enqueue afresh.
func (r *rig) drain(t testing.TB) []sqstypes.Message {
	t.Helper()
	ctx := context.Background()
	var all []sqstypes.Message
	for {
		out, err := r.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(r.queueURL),
			MaxNumberOfMessages:         10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if len(out.Messages) == 0 {
			return all
		}
		for _, m := range out.Messages {
			if _, err := r.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
		all = append(all, out.Messages...)
	}
}

// eventsFiles returns the names (without .json) of the files in events/<fn>, sorted.
func eventsFiles(t testing.TB, root, fn string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "events", fn, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	slices.Sort(names)
	return names
}

func readEvent(t testing.TB, root, fn, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "events", fn, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
