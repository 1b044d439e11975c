package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/outbox"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slackagent"
)

const slackUsage = `frontdesk slack: play the agent's side of Slack against the local stack

  frontdesk slack reply [--thread TS] [--channel C] [--user U] [--file PATH] "text"
        post an agent's reply in an escalation thread (Events API message event, signed);
        with --file the reply shares that file (a file_share message; the text is optional)
  frontdesk slack press claim|takeover|resolve|handback|lead [--thread TS] [--channel C] [--user U]
        press a button of the escalation card (interactivity block_actions, signed)
  frontdesk slack press [--entry ID] faq_phrasing | faq_new_entry [--thread TS] ...
        press "Add as a phrasing" (of the entry preselected, or --entry) or "New entry with my
        reply" on the thread's latest "Add to FAQ" offer

--thread defaults to the thread of the latest escalation in GET /_local/outbox.
Requests are signed with SLACK_SIGNING_SECRET (default local-slack-secret).
`

// runSlack posts signed Slack requests to the local stack as Slack would, and prints what
// frontdesk sent out in response.
func runSlack(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, slackUsage)
		if len(args) == 0 {
			return errors.New("slack: no subcommand given")
		}
		return nil
	}
	sub := args[0]
	fs := flag.NewFlagSet("slack "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	thread := fs.String("thread", "", "the escalation thread's ts (default: the latest escalation in the outbox)")
	ch := fs.String("channel", "", "the Slack channel id (default: the thread's channel in the outbox)")
	user := fs.String("user", "U0LOCALAGENT", "the agent's Slack user id")
	base := fs.String("url", "http://127.0.0.1:3000", "the local stack's base URL")
	wait := fs.Duration("timeout", 10*time.Second, "how long to wait for frontdesk's calls")
	file := fs.String("file", "", "reply: share this file (held by the local stack in place of Slack's storage)")
	entry := fs.String("entry", "", "faq_phrasing: the entry to choose in the offer (default: the preselected one)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	secret := getenv("SLACK_SIGNING_SECRET")
	if secret == "" {
		secret = localSecrets["SLACK_SIGNING_SECRET"]
	}
	// Speak for the workspace and app the local stack obeys (its own environment, else its
	// defaults): a request for another workspace gets 401.
	ws := slackagent.Workspace{Team: cmp.Or(getenv("SLACK_TEAM_IDS"), localSettings["SLACK_TEAM_IDS"]), App: cmp.Or(getenv("SLACK_APP_ID"), localSettings["SLACK_APP_ID"])}
	ws.Team, _, _ = strings.Cut(ws.Team, ",")
	u := strings.TrimRight(*base, "/")
	before, err := fetchOutbox(ctx, u)
	if err != nil {
		return fmt.Errorf("is the local stack running (make run)? %w", err)
	}
	if *thread == "" || *ch == "" {
		c, ts, ok := latestThread(before)
		if !ok {
			return errors.New("slack: no escalation thread in the outbox; pass --thread and --channel")
		}
		*thread = cmp.Or(*thread, ts)
		*ch = cmp.Or(*ch, c)
	}
	now := time.Now()
	var path, contentType string
	var body []byte
	switch sub {
	case "reply":
		text := strings.Join(fs.Args(), " ")
		path, contentType = "/slack/events", slackagent.EventContentType
		switch {
		case *file != "":
			obj, ferr := shareLocalFile(ctx, u, *file)
			if ferr != nil {
				return ferr
			}
			body, err = ws.FileShare(*ch, *thread, *user, text, slackagent.TS(now), []map[string]any{obj}, now)
		case text == "":
			return errors.New(`slack reply: no text given (frontdesk slack reply "Your parcel left today")`)
		default:
			body, err = slackMessageEvent(ws, *ch, *thread, *user, text, now)
		}
	case "press":
		if fs.NArg() != 1 {
			return errors.New("slack press: name one button: claim, takeover, resolve, handback, lead, faq_phrasing or faq_new_entry")
		}
		path, contentType = "/slack/interactions", slackagent.InteractionContentType
		if a := fs.Arg(0); a == slackapi.ActionIDAddPhrasing || a == slackapi.ActionIDNewEntry {
			body, err = faqOfferPress(ws, before, *ch, *thread, *user, a, *entry, now)
			break
		}
		body, err = slackButtonPress(ws, *ch, *thread, *user, fs.Arg(0), now)
	default:
		fmt.Fprint(stderr, slackUsage)
		return fmt.Errorf("slack: unknown subcommand %q", sub)
	}
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range slackapi.SignedHeader([]byte(secret), now, body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", path, err)
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", path, resp.Status, strings.TrimSpace(string(respBody)))
	}
	fmt.Fprintf(stdout, "posted to %s in thread %s/%s\n", path, *ch, *thread)
	return printNewCalls(ctx, u, before, *wait, stdout)
}

// shareLocalFile hands the file at path to the local stack, which holds it in place of Slack's
// file storage (POST /_local/slack-files), and returns its Slack file object.
func shareLocalFile(ctx context.Context, base, path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("slack reply --file: %w", err)
	}
	obj, err := postLocalFile(ctx, base+"/_local/slack-files?name="+url.QueryEscape(filepath.Base(path)), fileType(path, data), data)
	if err != nil {
		return nil, fmt.Errorf("slack reply --file: %w", err)
	}
	return obj, nil
}

// postLocalFile posts a file's bytes to one of the local stack's file stand-ins and returns its
// JSON answer.
func postLocalFile(ctx context.Context, endpoint, mimeType string, data []byte) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mimeType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s: %s", endpoint, resp.Status, strings.TrimSpace(string(b)))
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("%s: %w", endpoint, err)
	}
	return obj, nil
}

// fileType is a file's MIME type from its extension, else from its first bytes.
func fileType(path string, data []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path))); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

// slackMessageEvent is the Events API body of an agent's reply in a thread of ws.
func slackMessageEvent(ws slackagent.Workspace, ch, threadTS, user, text string, now time.Time) ([]byte, error) {
	return ws.Reply(ch, threadTS, user, text, slackagent.TS(now), now)
}

// slackButtonPress is the interactivity body of a button on the escalation card.
func slackButtonPress(ws slackagent.Workspace, ch, cardTS, user, action string, now time.Time) ([]byte, error) {
	switch action {
	case slackapi.ActionIDClaim, slackapi.ActionIDTakeOver, slackapi.ActionIDResolve, slackapi.ActionIDHandBack, slackapi.ActionIDLead:
	default:
		return nil, fmt.Errorf("slack press: unknown button %q: want claim, takeover, resolve, handback or lead", action)
	}
	return ws.Press(slackagent.Button{Channel: ch, MessageTS: cardTS, User: user, ActionID: action, BlockID: "escalation_actions"}, now)
}

// faqOfferPress is the interactivity body of a button of the latest "Add to FAQ" offer in the
// thread, found in the outbox: the offer's ts (from the outbox's answer), the preselected entry
// (or entry), and the new-entry button's value.
func faqOfferPress(ws slackagent.Workspace, entries []outbox.Entry, ch, threadTS, user, action, entry string, now time.Time) ([]byte, error) {
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		var b struct {
			threadPost
			Blocks []struct {
				BlockID  string `json:"block_id"`
				Elements []struct {
					ActionID      string `json:"action_id"`
					Value         string `json:"value"`
					InitialOption *struct {
						Value string `json:"value"`
					} `json:"initial_option"`
				} `json:"elements"`
			} `json:"blocks"`
		}
		var r struct {
			TS string `json:"ts"`
		}
		if e.Service != outbox.Slack || json.Unmarshal(e.Body, &b) != nil || b.ThreadTS != threadTS || json.Unmarshal(e.Response, &r) != nil {
			continue
		}
		for _, blk := range b.Blocks {
			if blk.BlockID != slackapi.BlockFAQOffer {
				continue
			}
			press := slackagent.Button{Channel: ch, MessageTS: r.TS, ThreadTS: threadTS, User: user, ActionID: action,
				BlockID: blk.BlockID, SelectBlock: blk.BlockID, SelectAction: slackapi.ActionIDPickEntry, Selected: entry}
			found := false
			for _, el := range blk.Elements {
				switch {
				case el.ActionID == slackapi.ActionIDPickEntry && el.InitialOption != nil && press.Selected == "":
					press.Selected = el.InitialOption.Value
				case el.ActionID == action:
					press.Value, found = el.Value, true
				}
			}
			if !found {
				return nil, fmt.Errorf("slack press: the thread's Add to FAQ offer has no %s button", action)
			}
			if action == slackapi.ActionIDNewEntry {
				press.Selected = ""
			}
			return ws.Press(press, now)
		}
	}
	return nil, errors.New("slack press: no Add to FAQ offer in the thread yet (an agent must answer an escalation the bot found no answer for)")
}

// threadPost is the part of a Slack chat.postMessage body that locates it.
type threadPost struct {
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	Text     string `json:"text"`
}

// latestThread finds the thread of the latest escalation in the outbox: the thread_ts of the
// last Slack post into a thread (the card's details and every status line are thread replies).
func latestThread(entries []outbox.Entry) (ch, ts string, ok bool) {
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Service != outbox.Slack {
			continue
		}
		var b threadPost
		if json.Unmarshal(e.Body, &b) == nil && b.ThreadTS != "" && b.Channel != "" {
			return b.Channel, b.ThreadTS, true
		}
	}
	return "", "", false
}

// printNewCalls waits until frontdesk's outbound calls after before have settled (nothing new
// for half a second, or timeout) and prints them.
func printNewCalls(ctx context.Context, base string, before []outbox.Entry, timeout time.Duration, stdout io.Writer) error {
	deadline := time.Now().Add(timeout)
	seen, quiet := len(before), time.Time{}
	var entries []outbox.Entry
	for time.Now().Before(deadline) {
		var err error
		if entries, err = fetchOutbox(ctx, base); err != nil {
			return err
		}
		if len(entries) < len(before) {
			before = nil // the outbox was emptied meanwhile
		}
		switch {
		case len(entries) != seen:
			seen, quiet = len(entries), time.Now()
		case len(entries) > len(before) && time.Since(quiet) > 500*time.Millisecond:
			for _, e := range entries[len(before):] {
				fmt.Fprintln(stdout, describeAll(e))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("no outbound call within %s (see GET %s/_local/outbox and the server's log)", timeout, base)
}

// mirrored reports whether entries hold a customer message mirrored into a Slack thread: the
// bot's answer to a message while a conversation is with the agents.
func mirrored(entries []outbox.Entry) bool {
	for _, e := range entries {
		var b threadPost
		if e.Service == outbox.Slack && json.Unmarshal(e.Body, &b) == nil && b.ThreadTS != "" &&
			(strings.HasPrefix(b.Text, ":speech_balloon:") || strings.HasSuffix(e.Path, "files.completeUploadExternal")) {
			return true
		}
	}
	return false
}

// describeAll is describe with every line of a Slack post: the bot's status lines in a thread
// often come as several lines joined.
func describeAll(e outbox.Entry) string {
	var b threadPost
	if e.Service != outbox.Slack || json.Unmarshal(e.Body, &b) != nil || b.ThreadTS == "" || !strings.Contains(b.Text, "\n") {
		return describe(e)
	}
	return "[slack postMessage] " + strings.ReplaceAll(b.Text, "\n", "\n    ")
}
