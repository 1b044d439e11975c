package files

import (
	"errors"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

func TestForCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		surface channel.Surface
		mime    string
		size    int64
		kind    Kind
		refused string
	}{
		{channel.WhatsApp, "application/pdf", 2 * mb, Document, ""},
		{channel.WhatsApp, "image/jpeg", 1 * mb, Image, ""},
		{channel.WhatsApp, "IMAGE/PNG", 1 * mb, Image, ""},
		{channel.WhatsApp, "image/png", 6 * mb, "", "WhatsApp takes image files of up to 5 MB; this one has 6 MB"},
		{channel.WhatsApp, "audio/ogg; codecs=opus", 1 * mb, Audio, ""},
		{channel.WhatsApp, "video/mp4", 17 * mb, "", "WhatsApp takes video files of up to 16 MB; this one has 17 MB"},
		{channel.WhatsApp, "application/zip", 1 * mb, "", "WhatsApp does not take files of type application/zip"},
		{channel.WhatsApp, "image/webp", 50 << 10, "", "WhatsApp does not take files of type image/webp"},
		{channel.WhatsApp, "application/pdf", 30 * mb, "", "the file has 30 MB; frontdesk sends files of up to 25 MB"},
		{channel.Messenger, "application/zip", 1 * mb, Document, ""},
		{channel.Messenger, "image/gif", 1 * mb, Image, ""},
		{channel.Instagram, "image/jpeg", 9 * mb, "", "Instagram takes image files of up to 8 MB; this one has 9 MB"},
		{channel.Instagram, "application/msword", 1 * mb, "", "Instagram does not take files of type application/msword"},
		{channel.Instagram, "application/pdf", 1 * mb, Document, ""},
		{channel.Comment, "image/jpeg", 1 * mb, "", "a private reply to a comment carries text only"},
		{channel.WhatsApp, "application/pdf", 0, "", "the file is empty"},
	}
	for _, tc := range tests {
		kind, err := ForCustomer(tc.surface, tc.mime, tc.size)
		var r *Refusal
		switch {
		case tc.refused == "" && (err != nil || kind != tc.kind):
			t.Errorf("ForCustomer(%s, %s, %d) = %q, %v; want %q", tc.surface, tc.mime, tc.size, kind, err, tc.kind)
		case tc.refused != "" && (!errors.As(err, &r) || r.Reason != tc.refused):
			t.Errorf("ForCustomer(%s, %s, %d) = %q, %v; want refused: %s", tc.surface, tc.mime, tc.size, kind, err, tc.refused)
		}
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	if err := Verify("application/pdf", pdf); err != nil {
		t.Errorf("a PDF: %v", err)
	}
	if err := Verify("image/png", png); err != nil {
		t.Errorf("a PNG: %v", err)
	}
	if err := Verify("application/pdf", []byte("<!DOCTYPE html><html>sign in")); err == nil || !strings.Contains(err.Error(), "but its content is text/html") {
		t.Errorf("HTML called a PDF: %v", err)
	}
	if err := Verify("application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04")); err != nil {
		t.Errorf("a docx: %v", err)
	}
	if err := Verify("application/msword", []byte("<html><body>login</body></html>")); err == nil {
		t.Error("a web page called a Word file passed")
	}
}

func TestNameAndSize(t *testing.T) {
	t.Parallel()
	if got := Name("", "image/jpeg", "image"); got != "image.jpg" {
		t.Errorf("Name = %q", got)
	}
	if got := Name("../../etc/Rechnung.pdf", "application/pdf", "document"); got != "Rechnung.pdf" {
		t.Errorf("Name = %q, want the base name", got)
	}
	for n, want := range map[int64]string{512: "512 bytes", 830 << 10: "830 KB", 5 * mb: "5 MB", 5*mb + mb/2: "5.5 MB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
