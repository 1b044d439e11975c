package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/observe"
)

// The observer sees what the bot concluded, and nothing the customer wrote.
func TestObserverGetsDecisionWithoutText(t *testing.T) {
	t.Parallel()
	r := newRig(t, brainFunc(func(faq.Input) faq.Decision {
		return faq.Decision{Action: faq.Answer, Locale: "de", Text: "Wir liefern in 1–3 Werktagen.", EntryID: "shipping_time", Confidence: 0.91,
			Top: []faq.Suggestion{{EntryID: "shipping_time", Title: "Lieferzeit", Score: 0.91}, {EntryID: "shipping_cost", Title: "Versandkosten", Score: 0.05},
				{EntryID: "express", Title: "Express", Score: 0.02}, {EntryID: "returns", Title: "Rückgabe", Score: 0.01}}}
	}))
	var got []observe.Decision
	r.bot.Observer = observe.SinkFunc(func(_ context.Context, d observe.Decision) { got = append(got, d) })
	in := whatsappText("wamid.OBS1", "Wie lange dauert die Lieferung?")
	if resp, err := r.bot.HandleSQS(context.Background(), sqsEvent(t, in)); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v", failures(resp), err)
	}
	if len(got) != 1 {
		t.Fatalf("decisions = %d, want 1", len(got))
	}
	d := got[0]
	if d.Kind != observe.Bot || d.Key != in.Key || d.Event != in.ID || d.Action != "answer" || d.Entry != "shipping_time" ||
		d.Locale != "de" || d.Confidence != 0.91 || len(d.Top) != 3 || d.Top[2].Entry != "express" || !strings.Contains(d.Window, "24-hour") {
		t.Errorf("decision = %+v", d)
	}
	b, _ := json.Marshal(d)
	for _, text := range []string{"Lieferung", "Werktagen"} {
		if strings.Contains(string(b), text) {
			t.Errorf("decision record carries message text %q: %s", text, b)
		}
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("decided", "decision", d)
	for _, secret := range []string{"Lieferung", "Werktagen", in.Key.User, in.ID} {
		if strings.Contains(logged.String(), secret) {
			t.Errorf("logged decision carries %q: %s", secret, logged.String())
		}
	}
	if !strings.Contains(logged.String(), `"entry":"shipping_time"`) {
		t.Errorf("logged decision = %s, want the entry", logged.String())
	}
}
