package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/files"
)

// slackFiles is a small fake of the agents' file store: bytes by URL, and failures to inject.
type slackFiles struct {
	mu    sync.Mutex
	data  map[string]channel.File
	fail  []error
	calls int
}

func (s *slackFiles) DownloadFile(_ context.Context, ref channel.FileRef) (channel.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(s.fail) > 0 {
		err := s.fail[0]
		s.fail = s.fail[1:]
		return channel.File{}, err
	}
	f, ok := s.data[ref.URL]
	if !ok {
		return channel.File{}, apperr.E("fake", apperr.NotFound, "no such file")
	}
	return f, nil
}

// customerMedia is a small fake of Meta's media: one answer for every fetch.
type customerMedia struct {
	file channel.File
	err  error
}

func (m customerMedia) FetchMedia(context.Context, channel.Key, channel.FileRef) (channel.File, error) {
	return m.file, m.err
}

var pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 1000)...)

func agentReply(key channel.Key, id, text string, refs ...channel.FileRef) channel.Event {
	return channel.Event{Agent: &channel.AgentEvent{ID: id, Action: channel.ActionReply, Key: key, Channel: "C0DESK",
		ThreadTS: testThread, User: "U1", Text: text, Files: refs, At: t0}}
}

func TestAgentNotesStayInternal(t *testing.T) {
	t.Parallel()
	wa := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	for _, note := range []string{"*note:* VIP", "Notiz: Paket prüfen", "<@U043H11ES4V> kannst du?", "Note - später anrufen"} {
		r := newRig(t, answerAll("unused"))
		d := r.withDesk()
		r.escalatedConversation(t, wa, r.now.Add(-time.Hour))
		if err := r.bot.Handle(context.Background(), agentReply(wa, "Ev1", note)); err != nil {
			t.Fatal(err)
		}
		if n := len(r.graph.Requests()); n != 0 || len(d.Lines()) != 0 {
			t.Errorf("%q: %d sends, desk %q; want nothing (an internal note)", note, n, d.Lines())
		}
	}
}

func TestAgentFiles(t *testing.T) {
	t.Parallel()
	wa := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	invoice := channel.FileRef{ID: "F1", URL: "https://files.slack.com/F1/Rechnung.pdf", Name: "Rechnung.pdf", MIME: "application/pdf", Size: int64(len(pdf))}
	zip := channel.FileRef{ID: "F2", URL: "https://files.slack.com/F2/a.zip", Name: "a.zip", MIME: "application/zip", Size: 10}
	connect := channel.FileRef{ID: "F3"}

	r := newRig(t, answerAll("unused"))
	d := r.withDesk()
	sf := &slackFiles{data: map[string]channel.File{invoice.URL: {Name: "Rechnung.pdf", MIME: "application/pdf", Data: pdf}},
		fail: []error{apperr.E("fake", apperr.Transient, "slack unreachable")}}
	r.bot.AgentFiles = sf
	r.escalatedConversation(t, wa, r.now.Add(-time.Hour))
	ev := agentReply(wa, "Ev1", "Ihre Rechnung :page_facing_up:", invoice, zip, connect)

	// Slack is unreachable: the event fails and the queue retries it; the text went out already.
	if err := r.bot.Handle(context.Background(), ev); err == nil {
		t.Fatal("a transient download failure did not fail the event")
	}
	if err := r.bot.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, q := range r.graph.Requests() {
		if strings.HasSuffix(q.Path, "/messages") {
			types = append(types, q.JSON["type"].(string))
		}
	}
	// Three files: the text goes on its own (a caption only when one file is shared), then the
	// invoice; the zip and the Slack Connect file are refused.
	if diff := cmp.Diff([]string{"text", "document"}, types); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
	lines := strings.Join(d.Lines(), "\n")
	for _, want := range []string{"Not sent: the file “a.zip”: WhatsApp does not take files of type application/zip.",
		"Not sent: the file: Slack does not let frontdesk read it"} {
		if !strings.Contains(lines, want) {
			t.Errorf("desk = %q, want %q", lines, want)
		}
	}
	if sf.calls != 2 {
		t.Errorf("downloads = %d, want 2 (the failed one, then once more)", sf.calls)
	}
}

func TestCustomerMediaIntoTheThread(t *testing.T) {
	t.Parallel()
	wa := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	photo := whatsappText("wamid.P1", "So kam es an")
	photo.Media, photo.MediaRef = "image", &channel.FileRef{ID: "123", MIME: "image/jpeg"}

	r := newRig(t, answerAll("unused"))
	d := r.withDesk()
	r.bot.CustomerMedia = customerMedia{file: channel.File{MIME: "image/jpeg", Data: []byte("\xff\xd8\xff")}}
	r.escalatedConversation(t, wa, r.now.Add(-time.Hour))
	if err := r.bot.Handle(context.Background(), channel.Event{Inbound: &photo}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"mirror_file " + testThread + ": Anna Schmidt: [image/jpeg, 3 bytes] So kam es an"}, d.Lines()); diff != "" {
		t.Errorf("desk (-want +got):\n%s", diff)
	}

	// Too big to bring over: the thread names it instead.
	r2 := newRig(t, answerAll("unused"))
	d2 := r2.withDesk()
	refusal := files.ForDesk(files.MaxBytes + 1)
	r2.bot.CustomerMedia = customerMedia{err: apperr.Wrap("fake", apperr.Invalid, refusal, refusal.Error())}
	r2.escalatedConversation(t, wa, r2.now.Add(-time.Hour))
	if err := r2.bot.Handle(context.Background(), channel.Event{Inbound: &photo}); err != nil {
		t.Fatal(err)
	}
	if got := d2.Lines(); len(got) != 1 || !strings.Contains(got[0], "[image: not shown here, the file has 25.0 MB") || !strings.Contains(got[0], "So kam es an") {
		t.Errorf("desk = %q, want the line naming the photo that was not brought over", got)
	}
	var r3 *files.Refusal
	if !errors.As(refusal, &r3) {
		t.Fatal("files.ForDesk does not return a *files.Refusal")
	}
}
