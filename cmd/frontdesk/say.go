package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/outbox"
)

// runSay posts a signed webhook the way Meta would and prints what the bot sent back.
func runSay(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("say", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ch := fs.String("channel", "whatsapp", "surface: whatsapp, messenger, instagram or comment")
	from := fs.String("from", "", "the customer's id (default: a fixed test customer per surface)")
	name := fs.String("name", "Erika Mustermann", "the customer's display name")
	clid := fs.String("ctwa-clid", "", "make the message arrive from a click-to-WhatsApp ad with this click id")
	url := fs.String("url", "http://127.0.0.1:3000", "the local stack's base URL")
	wait := fs.Duration("timeout", 10*time.Second, "how long to wait for the reply")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if text == "" {
		return errors.New(`say: no text given (frontdesk say --channel whatsapp "hello")`)
	}
	secret := getenv("META_APP_SECRET")
	if secret == "" {
		secret = localSecrets["META_APP_SECRET"]
	}
	body, service, recipient, err := webhookPayload(*ch, *from, *name, text, *clid, time.Now())
	if err != nil {
		return err
	}

	base := strings.TrimRight(*url, "/")
	before, err := fetchOutbox(ctx, base)
	if err != nil {
		return fmt.Errorf("is the local stack running (make run)? %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/meta", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", meta.Sign(body, []byte(secret)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post webhook: %w", err)
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook answered %s: %s", resp.Status, strings.TrimSpace(string(respBody)))
	}

	deadline := time.Now().Add(*wait)
	for time.Now().Before(deadline) {
		entries, err := fetchOutbox(ctx, base)
		if err != nil {
			return err
		}
		if len(entries) < len(before) {
			before = nil // the outbox was emptied meanwhile
		}
		fresh := entries[len(before):]
		if hasReplyTo(fresh, service, recipient) {
			time.Sleep(300 * time.Millisecond) // let trailing calls (a Slack post) land
			if entries, err = fetchOutbox(ctx, base); err != nil {
				return err
			}
			for _, e := range entries[len(before):] {
				fmt.Fprintln(stdout, describe(e))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("no reply within %s (see GET %s/_local/outbox and the server's log)", *wait, base)
}

// Local test accounts: the ids of Meta's documentation samples.
const (
	localWABA          = "102290129340398"
	localPhoneNumberID = "106540352242922"
	localPageID        = "112233445566778"
	localInstagramID   = "17841400000000001"
)

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// webhookPayload builds the body Meta would post for a customer message, and says which outbox
// service and recipient the reply will have.
func webhookPayload(ch, from, name, text, clid string, now time.Time) (body []byte, service, recipient string, err error) {
	ms := now.UnixMilli()
	switch ch {
	case "whatsapp":
		from = orDefault(from, "491701234567")
		msg := map[string]any{"from": from, "id": "wamid.LOCAL" + randomID(12), "timestamp": fmt.Sprint(now.Unix()), "type": "text", "text": map[string]string{"body": text}}
		if clid != "" {
			msg["referral"] = map[string]any{"source_url": "https://fb.me/local-ad", "source_id": "120210000000000001", "source_type": "ad",
				"headline": "Spring sale", "body": "Ask us anything", "media_type": "image", "ctwa_clid": clid}
		}
		body, err = json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": localWABA, "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]string{"display_phone_number": "15550101234", "phone_number_id": localPhoneNumberID},
				"contacts":          []any{map[string]any{"profile": map[string]string{"name": name}, "wa_id": from}},
				"messages":          []any{msg},
			}}}}}})
		return body, outbox.WhatsApp, from, err
	case "messenger", "instagram":
		object, account, service := "page", localPageID, outbox.Messenger
		if ch == "instagram" {
			object, account, service = "instagram", localInstagramID, outbox.Instagram
		}
		from = orDefault(from, map[string]string{"messenger": "6254170001234567", "instagram": "1789000000000042"}[ch])
		body, err = json.Marshal(map[string]any{"object": object, "entry": []any{map[string]any{
			"id": account, "time": ms, "messaging": []any{map[string]any{
				"sender": map[string]string{"id": from}, "recipient": map[string]string{"id": account}, "timestamp": ms,
				"message": map[string]any{"mid": "m_LOCAL" + randomID(12), "text": text},
			}}}}})
		return body, service, from, err
	case "comment":
		from = orDefault(from, "5310000000000099")
		post := localPageID + "_900000000000001"
		commentID := "900000000000001_" + randomID(6)
		body, err = json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
			"id": localPageID, "time": now.Unix(), "changes": []any{map[string]any{"field": "feed", "value": map[string]any{
				"from": map[string]string{"id": from, "name": name}, "message": text, "post_id": post, "comment_id": commentID,
				"created_time": now.Unix(), "item": "comment", "parent_id": post, "verb": "add",
			}}}}}})
		return body, outbox.Messenger, commentID, err
	}
	return nil, "", "", fmt.Errorf("say: unknown channel %q: want whatsapp, messenger, instagram or comment", ch)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func fetchOutbox(ctx context.Context, base string) ([]outbox.Entry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_local/outbox", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read outbox: %s", resp.Status)
	}
	var entries []outbox.Entry
	if err := json.NewDecoder(resp.Body).Decode(&entries); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return entries, nil
}

// sendBody is the union of the fields of WhatsApp and Messenger send bodies that say prints.
type sendBody struct {
	To        string `json:"to"`
	Recipient struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
	} `json:"recipient"`
	Text struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive struct {
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []struct {
				Reply struct {
					Title string `json:"title"`
				} `json:"reply"`
			} `json:"buttons"`
			Sections []struct {
				Rows []struct {
					Title string `json:"title"`
				} `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	} `json:"interactive"`
	Template struct {
		Name string `json:"name"`
	} `json:"template"`
	Message struct {
		Text         string `json:"text"`
		QuickReplies []struct {
			Title string `json:"title"`
		} `json:"quick_replies"`
	} `json:"message"`
	Tag string `json:"tag"`
	// Slack
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	Blocks   any    `json:"blocks"`
	// CAPI
	Data []struct {
		EventName string `json:"event_name"`
	} `json:"data"`
}

func hasReplyTo(entries []outbox.Entry, service, recipient string) bool {
	for _, e := range entries {
		var b sendBody
		if e.Service != service || json.Unmarshal(e.Body, &b) != nil {
			continue
		}
		if b.To == recipient || b.Recipient.ID == recipient || b.Recipient.CommentID == recipient {
			return true
		}
	}
	return false
}

// describe renders one outbox entry for a person.
func describe(e outbox.Entry) string {
	var b sendBody
	_ = json.Unmarshal(e.Body, &b)
	var s strings.Builder
	switch e.Service {
	case outbox.Slack:
		fmt.Fprintf(&s, "[slack %s] %s", strings.TrimPrefix(e.Path[strings.LastIndex(e.Path, "/")+1:], "chat."), firstLine(slackText(e.Body)))
		return s.String()
	case outbox.CAPI:
		names := make([]string, len(b.Data))
		for i, d := range b.Data {
			names[i] = d.EventName
		}
		return fmt.Sprintf("[capi] %s %s", e.Path, strings.Join(names, ", "))
	}
	text := b.Text.Body + b.Interactive.Body.Text + b.Message.Text
	if b.Template.Name != "" {
		text = "(template " + b.Template.Name + ")"
	}
	fmt.Fprintf(&s, "[%s] %s", e.Service, text)
	if b.Tag != "" {
		fmt.Fprintf(&s, " (tag %s)", b.Tag)
	}
	var opts []string
	for _, x := range b.Interactive.Action.Buttons {
		opts = append(opts, x.Reply.Title)
	}
	for _, sec := range b.Interactive.Action.Sections {
		for _, r := range sec.Rows {
			opts = append(opts, r.Title)
		}
	}
	for _, q := range b.Message.QuickReplies {
		opts = append(opts, q.Title)
	}
	for i, o := range opts {
		fmt.Fprintf(&s, "\n    %d. %s", i+1, o)
	}
	return s.String()
}

func slackText(body json.RawMessage) string {
	var b struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(body, &b)
	return b.Text
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
