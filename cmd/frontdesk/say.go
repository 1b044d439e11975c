package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
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
	postback := fs.String("postback", "", "tap a button with this payload instead (Messenger/Instagram: a postback such as GET_STARTED; WhatsApp: a reply button); the text is its title")
	url := fs.String("url", "http://127.0.0.1:3000", "the local stack's base URL")
	wait := fs.Duration("timeout", 10*time.Second, "how long to wait for the reply")
	ago := fs.Duration("ago", 0, "date the message this long back (e.g. 30h: the agent then answers after the window)")
	mediaPath := fs.String("media", "", "send this file as the customer's photo, video, voice note or document (the text is its caption)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if text == "" && *mediaPath == "" {
		return errors.New(`say: no text given (frontdesk say --channel whatsapp "hello")`)
	}
	secret := getenv("META_APP_SECRET")
	if secret == "" {
		secret = localSecrets["META_APP_SECRET"]
	}
	surface := channel.Surface(*ch)
	if !surface.Valid() {
		return fmt.Errorf("say: unknown channel %q: want whatsapp, messenger, instagram or comment", *ch)
	}
	base := strings.TrimRight(*url, "/")
	var media *metatest.Media
	if *mediaPath != "" {
		m, err := localMedia(ctx, base, *mediaPath)
		if err != nil {
			return err
		}
		media = m
	}
	built, err := metatest.Payload(metatest.Message{Surface: surface, From: *from, Name: *name, Text: text, CtwaClid: *clid,
		Payload: *postback, Postback: *postback != "", At: time.Now().Add(-*ago), Media: media})
	if err != nil {
		return err
	}
	body, service, recipient := built.Body, replyService[surface], built.Recipient

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
		if hasReplyTo(fresh, service, recipient) || mirrored(fresh) {
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

// localMedia hands the file at path to the local stack, which holds it in place of Meta's media
// storage (POST /_local/media), and returns what the webhook carries of it.
func localMedia(ctx context.Context, base, path string) (*metatest.Media, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("say --media: %w", err)
	}
	mt := fileType(path, data)
	obj, err := postLocalFile(ctx, base+"/_local/media?name="+neturl.QueryEscape(filepath.Base(path)), mt, data)
	if err != nil {
		return nil, fmt.Errorf("say --media: is the local stack running (make run)? %w", err)
	}
	kind := "document"
	switch {
	case mt == "image/webp":
		kind = "sticker"
	case strings.HasPrefix(mt, "image/"):
		kind = "image"
	case strings.HasPrefix(mt, "video/"):
		kind = "video"
	case strings.HasPrefix(mt, "audio/"):
		kind = "audio"
	}
	id, _ := obj["id"].(string)
	u, _ := obj["url"].(string)
	sum, _ := hex.DecodeString(fmt.Sprint(obj["sha256"]))
	// WhatsApp's webhook gives the sha256 in base64.
	return &metatest.Media{Type: kind, ID: id, MIME: mt, SHA256: base64.StdEncoding.EncodeToString(sum), URL: u}, nil
}

// localInstagramID is the local stack's Instagram account.
const localInstagramID = metatest.InstagramID

// replyService is the outbox service a reply on the surface goes through (a comment's private
// reply is a Messenger send).
var replyService = map[channel.Surface]string{
	channel.WhatsApp: outbox.WhatsApp, channel.Messenger: outbox.Messenger,
	channel.Instagram: outbox.Instagram, channel.Comment: outbox.Messenger,
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
	Type     string `json:"type"`
	Filedata *struct {
		Name string `json:"name"`
	} `json:"filedata"`
	Document *mediaBody `json:"document"`
	Image    *mediaBody `json:"image"`
	Video    *mediaBody `json:"video"`
	Audio    *mediaBody `json:"audio"`
	Message  struct {
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
	if e.Method == http.MethodGet {
		// A media lookup or a file download: bytes in memory, nothing to show but where.
		return fmt.Sprintf("[%s GET] %s", e.Service, e.Path)
	}
	if strings.HasPrefix(e.Path, "/upload/") {
		return "[slack upload] " + slackText(e.Body)
	}
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
	for _, m := range []*mediaBody{b.Document, b.Image, b.Video, b.Audio} {
		if m != nil {
			text = strings.TrimSpace("(" + b.Type + " " + m.Filename + ") " + m.Caption)
		}
	}
	if b.Filedata != nil {
		text = "(attachment " + b.Filedata.Name + ")"
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

// mediaBody is a WhatsApp media message's object.
type mediaBody struct {
	Filename string `json:"filename"`
	Caption  string `json:"caption"`
}

func slackText(body json.RawMessage) string {
	var b struct {
		Text           string `json:"text"`
		InitialComment string `json:"initial_comment"`
		File           *struct {
			Name string `json:"name"`
			Type string `json:"type"`
			Size int    `json:"size"`
		} `json:"file"`
	}
	_ = json.Unmarshal(body, &b)
	switch {
	case b.File != nil:
		return fmt.Sprintf("%s (%s, %d bytes)", b.File.Name, b.File.Type, b.File.Size)
	case b.Text == "" && b.InitialComment != "":
		return b.InitialComment
	}
	return b.Text
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
