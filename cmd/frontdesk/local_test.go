package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// localStack starts the local stack (embedded store and queue, outbound calls in the outbox) on
// a test server and returns its base URL.
func localStack(t *testing.T) (string, *stack) {
	t.Helper()
	env := localEnv(func(string) string { return "" })
	st, err := newStack(t.Context(), env, func(string) bool { return false }, filepath.Join("..", "..", "template.yaml"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	srv := httptest.NewServer(st.mux)
	t.Cleanup(srv.Close)
	return srv.URL, st
}

// An agent's reply with a link, a mention and an emoji, typed in Slack, reaches the customer
// in the local outbox as text a person reads.
func TestLocalAgentReplyIsReadable(t *testing.T) {
	t.Parallel()
	base, st := localStack(t)
	env := func(string) string { return "" }
	ctx := context.Background()
	if err := runSay(ctx, []string{"--url", base, "--channel", "whatsapp", "Ich möchte mit einem Mitarbeiter sprechen"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	reply := "Hier entlang :point_right: <https://shop.example.com/track?id=1&amp;x=2|Sendungsverfolgung> – <@U0LOCALAGENT> meldet sich :slightly_smiling_face:"
	if err := runSlack(ctx, []string{"reply", "--url", base, reply}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "Hier entlang 👉 Sendungsverfolgung (https://shop.example.com/track?id=1&x=2) – Alex meldet sich 🙂"
	var got []string
	for _, e := range st.outbox.Entries() {
		var b sendBody
		if e.Service == "whatsapp" && json.Unmarshal(e.Body, &b) == nil {
			got = append(got, b.Text.Body)
		}
	}
	if len(got) == 0 || got[len(got)-1] != want {
		t.Errorf("last WhatsApp send = %q, want the text %q", got, want)
	}
	if !strings.Contains(out.String(), "[whatsapp] "+want) {
		t.Errorf("frontdesk slack reply printed %q, want the readable send", out.String())
	}
}
