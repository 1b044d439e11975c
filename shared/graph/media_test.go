package graph_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/files"
)

var (
	pdfBytes = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2000)...)
	jpgBytes = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{0}, 500)...)
)

func TestSendFileWhatsAppDocument(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	id, err := c.Send(context.Background(), waKey, channel.Reply{Text: "Ihre Rechnung", File: &channel.File{Name: "Rechnung-1042.pdf", MIME: "application/pdf", Data: pdfBytes}})
	if err != nil || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("Send = %q, %v", id, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || !strings.HasSuffix(reqs[0].Path, "/"+phoneID+"/media") || reqs[0].Upload == nil ||
		reqs[0].Upload.MIME != "application/pdf" || reqs[0].Upload.Size != len(pdfBytes) || reqs[0].JSON["messaging_product"] != "whatsapp" {
		t.Fatalf("requests = %+v; want the upload, then the send", reqs)
	}
	doc, _ := reqs[1].JSON["document"].(map[string]any)
	if reqs[1].JSON["type"] != "document" || doc["filename"] != "Rechnung-1042.pdf" || doc["caption"] != "Ihre Rechnung" || doc["id"] == "" {
		t.Errorf("send = %s, want a document by the uploaded id with filename and caption", reqs[1].Body)
	}
	if m, ok := srv.MediaByID(doc["id"].(string)); !ok || !bytes.Equal(m.Data, pdfBytes) {
		t.Error("the uploaded media does not hold the file's bytes")
	}
}

func TestSendFileMessengerImage(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	if _, err := c.Send(context.Background(), fbKey, channel.Reply{File: &channel.File{Name: "photo.jpg", MIME: "image/jpeg", Data: jpgBytes}, Tag: channel.TagHumanAgent}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Upload == nil || reqs[0].Upload.Field != "filedata" || reqs[0].JSON["messaging_type"] != "MESSAGE_TAG" {
		t.Fatalf("requests = %+v", reqs)
	}
	att := reqs[0].JSON["message"].(map[string]any)["attachment"].(map[string]any)
	if att["type"] != "image" {
		t.Errorf("attachment = %v", att)
	}
}

func TestSendFileRefused(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	tests := []struct {
		key  channel.Key
		file channel.File
		text string
		want string
	}{
		{waKey, channel.File{Name: "a.zip", MIME: "application/zip", Data: []byte("PK\x03\x04")}, "", "WhatsApp does not take files of type application/zip"},
		{waKey, channel.File{Name: "big.jpg", MIME: "image/jpeg", Data: make([]byte, 6<<20)}, "", "WhatsApp takes image files of up to 5 MB; this one has 6 MB"},
		{waKey, channel.File{Name: "fake.pdf", MIME: "application/pdf", Data: []byte("<!DOCTYPE html><html>")}, "", "the file says it is application/pdf but its content is text/html"},
		{igKey, channel.File{Name: "a.doc", MIME: "application/msword", Data: []byte("x")}, "", "Instagram does not take files of type application/msword"},
		{channel.Key{Surface: channel.Comment, Account: pageID, User: "1"}, channel.File{Name: "a.pdf", MIME: "application/pdf", Data: pdfBytes}, "", "a private reply to a comment carries text only"},
	}
	for _, tc := range tests {
		f := tc.file
		_, err := c.Send(context.Background(), tc.key, channel.Reply{File: &f, Text: tc.text})
		var r *files.Refusal
		if apperr.KindOf(err) != apperr.Invalid || !errors.As(err, &r) || !strings.HasPrefix(r.Reason, tc.want) {
			t.Errorf("%s %s: err = %v, want refused: %s", tc.key.Surface, f.Name, err, tc.want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests for refused files, want none", n)
	}
}

func TestFetchMediaWhatsApp(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	id := srv.AddMedia(phoneID, "image/jpeg", "", jpgBytes)
	f, err := c.FetchMedia(context.Background(), waKey, channel.FileRef{ID: id, MIME: "image/jpeg"})
	if err != nil || !bytes.Equal(f.Data, jpgBytes) || f.MIME != "image/jpeg" {
		t.Fatalf("FetchMedia = %d bytes %q, %v", len(f.Data), f.MIME, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Token != waToken || reqs[0].Account != phoneID || reqs[1].Token != waToken {
		t.Errorf("requests = %+v; want the lookup and the download, both with the WhatsApp token", reqs)
	}
	// The webhook's sha256 is base64.
	sum := sha256.Sum256(jpgBytes)
	if _, err := c.FetchMedia(context.Background(), waKey, channel.FileRef{ID: id, SHA256: base64.StdEncoding.EncodeToString(sum[:])}); err != nil {
		t.Errorf("the webhook's base64 sha256: %v", err)
	}
	// A wrong sha256 in the webhook is a broken download, not a file to show.
	if _, err := c.FetchMedia(context.Background(), waKey, channel.FileRef{ID: id, SHA256: strings.Repeat("ab", 32)}); err == nil {
		t.Error("a download that does not match its sha256 was accepted")
	}
	big := srv.AddMedia(phoneID, "application/pdf", "big.pdf", make([]byte, files.MaxBytes+1))
	before := len(srv.Requests())
	var r *files.Refusal
	if _, err := c.FetchMedia(context.Background(), waKey, channel.FileRef{ID: big}); !errors.As(err, &r) {
		t.Errorf("a file over %d bytes: err = %v, want a refusal", files.MaxBytes, err)
	}
	if n := len(srv.Requests()) - before; n != 1 {
		t.Errorf("%d requests for a file over the limit, want only the lookup", n)
	}
}

func TestFetchMediaMessenger(t *testing.T) {
	t.Parallel()
	c, srv, _ := newClient(t)
	u := srv.AddAttachment("image/png", []byte("\x89PNG\r\n\x1a\nrest"))
	f, err := c.FetchMedia(context.Background(), fbKey, channel.FileRef{URL: u})
	if err != nil || f.MIME != "image/png" || len(f.Data) == 0 {
		t.Fatalf("FetchMedia = %+v, %v", f.MIME, err)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Token != "" {
		t.Errorf("requests = %+v, want one download without a token", reqs)
	}
	for _, bad := range []string{"https://evil.example.com/x.png", "http://169.254.169.254/latest/meta-data", "file:///etc/passwd"} {
		if _, err := c.FetchMedia(context.Background(), fbKey, channel.FileRef{URL: bad}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("FetchMedia(%s) = %v, want Invalid (not a Meta host)", bad, err)
		}
	}
}
