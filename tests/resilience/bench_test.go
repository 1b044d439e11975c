package resilience_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// The CPU cost of each step, as benchmarks (docs/cost.md uses them):
//
//	go test -bench . -benchmem -run '^$' ./tests/resilience/

// metaFixture reads a webhook body from shared/meta/testdata.
func metaFixture(b testing.TB, name string) []byte {
	b.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(root, "shared", "meta", "testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkVerifyParse verifies the signature of a WhatsApp text webhook and parses it.
func BenchmarkVerifyParse(b *testing.B) {
	body := metaFixture(b, "whatsapp_text.json")
	sig := meta.Sign(body, []byte(appSecret))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := meta.VerifySignature(sig, body, []byte(appSecret)); err != nil {
			b.Fatal(err)
		}
		evs, err := meta.Parse(body)
		if err != nil || len(evs) != 1 {
			b.Fatalf("Parse = %d events, %v", len(evs), err)
		}
	}
}

// BenchmarkIngress posts a signed WhatsApp text webhook through the meta-webhook handler as
// app builds it, with a queue that drops the message: the function's own work per webhook.
func BenchmarkIngress(b *testing.B) {
	body := metaFixture(b, "whatsapp_text.json")
	sig := meta.Sign(body, []byte(appSecret))
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"META_APP_SECRET": appSecret, "META_VERIFY_TOKEN": verifyToken, "WHATSAPP_PHONE_NUMBER_IDS": waPhoneID}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	queued := 0
	h, err := app.MetaWebhook(app.Deps{Config: cfg, Logger: lambdaLogger(), Queue: queue.SenderFunc(func(context.Context, queue.Message) error {
		queued++
		return nil
	})})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(meta.SignatureHeader, sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	if queued != b.N {
		b.Fatalf("queued %d of %d", queued, b.N)
	}
}

// lambdaLogger formats logs as the functions do in Lambda (JSON, INFO) and discards them: the
// benchmarks include the cost of logging.
func lambdaLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// noopSender accepts every reply, as the Graph API does, without a network call.
type noopSender struct{ sent int }

func (s *noopSender) Send(context.Context, channel.Key, channel.Reply) (string, error) {
	s.sent++
	return fmt.Sprintf("wamid.BENCH%d", s.sent), nil
}

// BenchmarkBotEvent is the bot's work for one customer text answered from the FAQ: load the
// conversation, consent keywords, the FAQ decision, the idempotent send, the save, on the
// embedded store with a sender that does no I/O. One customer writes again and again, as in a
// conversation.
func BenchmarkBotEvent(b *testing.B) {
	ms := memstore.New()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{
			"SLACK_CHANNEL": deskChannel, "SLACK_BOT_TOKEN": slackToken, "SUBJECT_PEPPER": pepper, "WHATSAPP_TOKEN": waToken,
		}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	bt, err := app.Bot(app.Deps{Config: cfg, Conversations: ms, Dedup: ms, Consent: ms, Logger: lambdaLogger(), Now: time.Now})
	if err != nil {
		b.Fatal(err)
	}
	sender := &noopSender{}
	bt.Sender = sender
	ctx := context.Background()
	at := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := bt.Handle(ctx, inboundText(customer(1), wamid("bench", i), textAnswered, at)); err != nil {
			b.Fatal(err)
		}
	}
	if sender.sent != b.N {
		b.Fatalf("sent %d answers for %d events", sender.sent, b.N)
	}
}

// BenchmarkFAQDecide is the FAQ decision for one customer text with the sample knowledge base
// (shared/faq's BenchmarkMatch15k measures the matcher on 15,000 phrasings).
func BenchmarkFAQDecide(b *testing.B) {
	bot, err := faq.Default()
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{textAnswered, textAnswered2, textHuman, "Wie lange dauert der Versand nach Österreich?"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bot.Decide(faq.Input{Text: texts[i%len(texts)], Locale: "de"})
	}
}
