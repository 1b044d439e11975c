//go:build linux

package artifact_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
)

// TestRecordedCorpus runs the Meta payloads recorded by others (shared/meta/testdata/recorded)
// through the built bootstraps under the emulator: the meta-webhook function answers each 200
// and queues exactly the events EXPECTED names; the bot function then takes those events, as if
// they arrived now from a customer of the local accounts, without a batch failure, and answers,
// escalates or stays quiet as EXPECTED says.
func TestRecordedCorpus(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	corpus, err := metatest.LoadRecorded(bins.root)
	if err != nil {
		t.Fatal(err)
	}
	webhook := newRig(t, "meta-webhook", nil)
	bot := newRig(t, "bot", nil)
	for i, r := range corpus {
		t.Run(strings.TrimSuffix(r.File, filepath.Ext(r.File)), func(t *testing.T) {
			got := webhook.invoke(t, apiGateway, signedWebhookEvent(t, onRigAccounts(t, r.Body), i))
			if got.http.StatusCode != 200 {
				t.Fatalf("statusCode = %d (%s), want 200", got.http.StatusCode, got.http.Body)
			}
			var queued []string
			for _, ev := range got.queued {
				queued = append(queued, string(ev.Inbound.Key.Surface)+"/"+string(ev.Inbound.Kind))
			}
			slices.Sort(queued)
			if diff := cmp.Diff(r.Queued, queued); diff != "" {
				t.Fatalf("queued events differ from EXPECTED (%s) (-want +got):\n%s", r.Why, diff)
			}
			if len(got.queued) == 0 {
				return
			}
			user := fmt.Sprintf("49171%07d", i)
			out := bot.invoke(t, sqsBatch, botBatch(t, got.queued, user, r.File))
			if len(out.batch.BatchItemFailures) > 0 {
				t.Fatalf("batch item failures %v", out.batch.BatchItemFailures)
			}
			sends, posts := len(out.graph), 0
			for _, c := range out.slack {
				if c.Method == "chat.postMessage" {
					posts++
				}
			}
			ok := true
			switch r.Bot {
			case metatest.BotQuiet:
				ok = sends == 0 && posts == 0
			case metatest.BotReply:
				ok = sends > 0 && posts == 0
			case metatest.BotWelcome:
				ok = sends == 1 && posts == 0 && offersButtons(out.graph[0].JSON)
			case metatest.BotPerson:
				ok = sends > 0 && posts > 0
			case metatest.BotDesk:
				ok = sends == 0 && posts > 0
			}
			if !ok {
				t.Errorf("bot: %d Graph sends, %d Slack posts; want %q (%s)", sends, posts, r.Bot, r.Why)
			}
			if len(out.stray) > 0 {
				t.Errorf("requests outside the fakes and moto: %q", out.stray)
			}
		})
	}
	checkLogs(t, webhook.proc.log.tail(8<<20))
	checkLogs(t, bot.proc.log.tail(8<<20))
}

// onRigAccounts moves a recorded payload to the rig's business accounts: the deployment serves
// only its own (WHATSAPP_PHONE_NUMBER_IDS, PAGE_IDS, INSTAGRAM_ACCOUNT_IDS), and the corpus
// uses the samples' ids and placeholders such as "<PAGE_ID>". Every occurrence of an event's
// account id, as a JSON string or number, becomes the rig's account of the same surface.
func onRigAccounts(t *testing.T, body []byte) []byte {
	t.Helper()
	b, err := meta.ParseBatch(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range b.Events {
		target := map[channel.Surface]string{channel.WhatsApp: phoneID, channel.Messenger: pageID, channel.Instagram: instagramID, channel.Comment: pageID}[in.Key.Surface]
		if in.Key.Surface == channel.Comment && b.Object == meta.ObjectInstagram {
			target = instagramID
		}
		from := in.Key.Account
		if from == target || from == "" {
			continue
		}
		body = bytes.ReplaceAll(body, []byte(strconv.Quote(from)), []byte(strconv.Quote(target)))
		if _, err := strconv.ParseUint(from, 10, 64); err == nil {
			body = regexp.MustCompile(`([:\[,]\s*)`+from+`\b`).ReplaceAll(body, []byte("${1}"+target))
		}
	}
	return body
}

// signedWebhookEvent wraps body in the API Gateway HTTP API event Meta's POST becomes, signed
// with the rig's app secret.
func signedWebhookEvent(t *testing.T, body []byte, n int) []byte {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	now := time.Now().UTC()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /webhooks/meta", RawPath: "/webhooks/meta",
		Headers: map[string]string{
			"content-type": "application/json", "content-length": fmt.Sprint(len(body)),
			"user-agent": "facebookexternalua", "x-hub-signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil)),
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "abc123defg", Stage: "$default", RouteKey: "POST /webhooks/meta",
			RequestID: fmt.Sprintf("recorded-%d", n), Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/webhooks/meta", Protocol: "HTTP/1.1", SourceIP: "173.252.107.1", UserAgent: "facebookexternalua"},
		},
		Body: string(body),
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// botBatch turns the queued events into the SQS batch the bot receives, as if they came now
// from user on the rig's accounts (the corpus uses the samples' accounts and years-old times).
func botBatch(t *testing.T, queued []channel.Event, user, file string) []byte {
	t.Helper()
	var batch events.SQSEvent
	for j, ev := range queued {
		in := *ev.Inbound
		in.Key.User, in.At = user, time.Now().UTC()
		in.ID = fmt.Sprintf("%s#%d", file, j)
		switch in.Key.Surface {
		case channel.WhatsApp:
			in.Key.Account = phoneID
		case channel.Messenger:
			in.Key.Account = pageID
		case channel.Instagram:
			in.Key.Account = instagramID
		case channel.Comment:
			in.Key.Account, in.CommentID = pageID, "comment-"+user
		}
		body, err := json.Marshal(channel.Event{Inbound: &in})
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(body)
		batch.Records = append(batch.Records, events.SQSMessage{
			MessageId: fmt.Sprintf("recorded-%s-%d", user, j), Body: string(body), Md5OfBody: hex.EncodeToString(sum[:]),
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:eu-central-1:123456789012:frontdesk-events.fifo", AWSRegion: "eu-central-1",
			Attributes: map[string]string{"ApproximateReceiveCount": "1", "MessageGroupId": in.Key.String(), "MessageDeduplicationId": in.ID},
		})
	}
	b, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// offersButtons reports whether a Graph send body offers buttons: Messenger quick replies or a
// WhatsApp interactive message.
func offersButtons(body map[string]any) bool {
	if m, ok := body["message"].(map[string]any); ok {
		qr, _ := m["quick_replies"].([]any)
		return len(qr) > 0
	}
	_, ok := body["interactive"].(map[string]any)
	return ok
}
