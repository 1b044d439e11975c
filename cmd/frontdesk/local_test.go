package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An agent's reply with a link, a mention and an emoji, typed in Slack, reaches the customer
// in the local outbox as text a person reads.
func TestLocalAgentReplyIsReadable(t *testing.T) {
	t.Parallel()
	st, srv := localStack(t)
	base := srv.URL
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

// Files both ways on the local stack: a customer's photo in an escalated conversation becomes a
// file upload in the thread, and `frontdesk slack reply --file` delivers a WhatsApp document.
func TestLocalFilesBothWays(t *testing.T) {
	t.Parallel()
	st, srv := localStack(t)
	base := srv.URL
	env := func(string) string { return "" }
	ctx := context.Background()
	dir := t.TempDir()
	photo := filepath.Join(dir, "kaputt.jpg")
	invoice := filepath.Join(dir, "Rechnung-1042.pdf")
	if err := os.WriteFile(photo, append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 2048)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(invoice, append([]byte("%PDF-1.7\n"), make([]byte, 4096)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runSay(ctx, []string{"--url", base, "Ich möchte mit einem Mitarbeiter sprechen"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runSay(ctx, []string{"--url", base, "--media", photo, "So kam es an, Tel 0171 1234567"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var upload, complete map[string]any
	for _, e := range st.outbox.Entries() {
		var b map[string]any
		_ = json.Unmarshal(e.Body, &b)
		switch {
		case e.Service == "slack" && strings.HasPrefix(e.Path, "/upload/v1/"):
			upload = b
		case e.Service == "slack" && strings.HasSuffix(e.Path, "files.completeUploadExternal"):
			complete = b
		}
	}
	f, _ := upload["file"].(map[string]any)
	if f == nil || f["size"] != float64(2048+11) {
		t.Errorf("upload = %v, want the photo's bytes uploaded to Slack", upload)
	}
	comment, _ := complete["initial_comment"].(string)
	if complete["thread_ts"] == nil || !strings.Contains(comment, "So kam es an") || strings.Contains(comment, "1234567") {
		t.Errorf("files.completeUploadExternal = %v, want the photo shared in the thread with the caption masked", complete)
	}
	if !strings.Contains(out.String(), "So kam es an") {
		t.Errorf("frontdesk say printed %q, want the upload into the thread", out.String())
	}

	out.Reset()
	if err := runSlack(ctx, []string{"reply", "--url", base, "--file", invoice, "Ihre Rechnung"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var mediaUpload, doc map[string]any
	for _, e := range st.outbox.Entries() {
		var b map[string]any
		_ = json.Unmarshal(e.Body, &b)
		switch {
		case e.Service == "whatsapp" && strings.HasSuffix(e.Path, "/media"):
			mediaUpload = b
		case e.Service == "whatsapp" && b["type"] == "document":
			doc = b
		}
	}
	if f, _ := mediaUpload["file"].(map[string]any); f == nil || f["type"] != "application/pdf" || mediaUpload["messaging_product"] != "whatsapp" {
		t.Errorf("media upload = %v, want the invoice uploaded to the phone number", mediaUpload)
	}
	d, _ := doc["document"].(map[string]any)
	if d == nil || d["filename"] != "Rechnung-1042.pdf" || d["caption"] != "Ihre Rechnung" || d["id"] == "" {
		t.Errorf("WhatsApp send = %v, want a document by its media id with the caption", doc)
	}
	if !strings.Contains(out.String(), "[whatsapp] (document Rechnung-1042.pdf) Ihre Rechnung") {
		t.Errorf("frontdesk slack reply --file printed %q, want the document send", out.String())
	}
}
