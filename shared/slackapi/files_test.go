package slackapi

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	deskpkg "github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/files"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

func TestDownloadFile(t *testing.T) {
	t.Parallel()
	fake := slacktest.New(t, testToken, testChannel)
	c := newTestClient(t, fake, testToken, &sleeps{})
	pdf := []byte("%PDF-1.7 invoice")
	obj := fake.AddFile("Rechnung.pdf", "application/pdf", pdf)
	ref := channel.FileRef{ID: obj["id"].(string), URL: obj["url_private_download"].(string), Name: "Rechnung.pdf", MIME: "application/pdf", Size: int64(len(pdf))}
	f, err := c.DownloadFile(context.Background(), ref)
	if err != nil || !bytes.Equal(f.Data, pdf) || f.Name != "Rechnung.pdf" || f.MIME != "application/pdf" {
		t.Fatalf("DownloadFile = %+v, %v", f, err)
	}
	// Over the limit by its announced size: refused without a download.
	before := len(fake.Calls())
	big := ref
	big.Size = files.MaxBytes + 1
	var r *files.Refusal
	if _, err := c.DownloadFile(context.Background(), big); !errors.As(err, &r) || apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("big file: err = %v, want a refusal", err)
	}
	if len(fake.Calls()) != before {
		t.Error("a file announced over the limit was downloaded")
	}
	// The token never goes to a host that is not Slack's.
	if _, err := c.DownloadFile(context.Background(), channel.FileRef{URL: "https://evil.example.com/f.pdf"}); err == nil {
		t.Error("a download from a foreign host succeeded")
	}
}

func TestMirrorFileUploadsIntoTheThread(t *testing.T) {
	t.Parallel()
	desk, fake, _ := newTestDesk(t)
	thread := fake.Post(testChannel, "card")
	img := []byte("\xff\xd8\xff\xe0 jpeg")
	err := desk.MirrorFile(context.Background(), deskpkg.Thread{Channel: testChannel, TS: thread}, "Erika", channel.File{Name: "", MIME: "image/jpeg", Data: img}, "Kaputt, Tel. 0171 1234567")
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Thread(testChannel, thread)
	if len(msgs) != 1 || len(msgs[0].Files) != 1 {
		t.Fatalf("thread = %+v, want one message with the file", msgs)
	}
	m := msgs[0]
	if !bytes.Equal(m.Files[0].Data, img) || !strings.HasPrefix(m.Files[0].Name, "file.") {
		t.Errorf("file = %q (%d bytes), want the image's bytes", m.Files[0].Name, len(m.Files[0].Data))
	}
	if !strings.Contains(m.Text, "Kaputt") || strings.Contains(m.Text, "1234567") || !strings.Contains(m.Text, "Erika") {
		t.Errorf("comment = %q, want the caption masked with the customer's name", m.Text)
	}
	for _, method := range []string{"files.getUploadURLExternal", "files.completeUploadExternal"} {
		if n := len(fake.CallsTo(method)); n != 1 {
			t.Errorf("%s called %d times, want 1", method, n)
		}
	}
	if err := desk.MirrorFile(context.Background(), deskpkg.Thread{Channel: testChannel, TS: thread}, "Erika", channel.File{MIME: "image/jpeg", Data: make([]byte, files.MaxBytes+1)}, ""); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("a file over the limit: err = %v, want Invalid", err)
	}
}
