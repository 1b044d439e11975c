// Package files decides which files may pass between agents and customers: what each surface
// accepts (type and size, from Meta's published limits), what frontdesk itself holds in memory,
// and the sentence that tells an agent why a file was refused. It is pure: the adapters
// (package slackapi, package graph) move the bytes, which live in memory for one delivery only.
package files

import (
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// MaxBytes is the largest file frontdesk moves either way: it passes through a function's memory
// whole, and a bigger one is refused with a status line rather than risk the function.
const MaxBytes = 25 << 20

// Timeout bounds one file's download or upload.
const Timeout = 30 * time.Second

// Kind is how a surface presents a file.
type Kind string

// Kinds, as the WhatsApp Cloud API names its media message types; Messenger and Instagram call
// a document "file".
const (
	Image    Kind = "image"
	Video    Kind = "video"
	Audio    Kind = "audio"
	Document Kind = "document"
	Sticker  Kind = "sticker"
)

type rule struct {
	kind Kind
	max  int64
}

const mb = 1 << 20

// WhatsApp Cloud API, supported media types
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#supported-media-types).
var whatsApp = map[string]rule{
	"image/jpeg": {Image, 5 * mb}, "image/png": {Image, 5 * mb},
	"video/mp4": {Video, 16 * mb}, "video/3gpp": {Video, 16 * mb},
	"audio/aac": {Audio, 16 * mb}, "audio/amr": {Audio, 16 * mb}, "audio/mpeg": {Audio, 16 * mb},
	"audio/mp4": {Audio, 16 * mb}, "audio/ogg": {Audio, 16 * mb},
	"application/pdf": {Document, 100 * mb}, "text/plain": {Document, 100 * mb},
	"application/msword": {Document, 100 * mb}, "application/vnd.ms-excel": {Document, 100 * mb},
	"application/vnd.ms-powerpoint":                                             {Document, 100 * mb},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   {Document, 100 * mb},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         {Document, 100 * mb},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {Document, 100 * mb},
}

// Instagram messaging, Attachment Upload API
// (https://developers.facebook.com/documentation/business-messaging/instagram-messaging/features/attachment-upload).
var instagram = map[string]rule{
	"image/png": {Image, 8 * mb}, "image/jpeg": {Image, 8 * mb}, "image/gif": {Image, 8 * mb},
	"video/mp4": {Video, 25 * mb}, "video/ogg": {Video, 25 * mb}, "video/x-msvideo": {Video, 25 * mb},
	"video/quicktime": {Video, 25 * mb}, "video/webm": {Video, 25 * mb},
	"audio/aac": {Audio, 25 * mb}, "audio/mp4": {Audio, 25 * mb}, "audio/wav": {Audio, 25 * mb},
	"audio/x-wav":     {Audio, 25 * mb},
	"application/pdf": {Document, 25 * mb},
}

// Messenger takes attachments of up to 25 MB: images, video, audio, and any other file as a file
// (https://developers.facebook.com/docs/messenger-platform/send-messages#file).
const messengerMax = 25 * mb

// Refusal says why a file does not go: a sentence for the thread's status line.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// ForCustomer decides how a file of type mimeType and size bytes goes to a customer on surface
// s, or refuses it.
func ForCustomer(s channel.Surface, mimeType string, size int64) (Kind, error) {
	mt := Normalize(mimeType)
	name := desk.SurfaceName(s)
	if size > MaxBytes {
		return "", &Refusal{fmt.Sprintf("the file has %s; frontdesk sends files of up to %s", Size(size), Size(MaxBytes))}
	}
	if size <= 0 {
		return "", &Refusal{"the file is empty"}
	}
	var r rule
	var ok bool
	switch s {
	case channel.WhatsApp:
		r, ok = whatsApp[mt]
	case channel.Instagram:
		r, ok = instagram[mt]
	case channel.Messenger:
		ok, r = true, rule{Document, messengerMax}
		switch {
		case strings.HasPrefix(mt, "image/"):
			r.kind = Image
		case strings.HasPrefix(mt, "video/"):
			r.kind = Video
		case strings.HasPrefix(mt, "audio/"):
			r.kind = Audio
		}
	default:
		return "", &Refusal{"a private reply to a comment carries text only"}
	}
	if !ok {
		return "", &Refusal{fmt.Sprintf("%s does not take files of type %s", name, orUnknown(mt))}
	}
	if size > r.max {
		return "", &Refusal{fmt.Sprintf("%s takes %s files of up to %s; this one has %s", name, r.kind, Size(r.max), Size(size))}
	}
	return r.kind, nil
}

// ForDesk checks a customer's file before it is posted into Slack (Slack takes up to 1 GB;
// frontdesk moves up to MaxBytes).
func ForDesk(size int64) error {
	switch {
	case size > MaxBytes:
		return &Refusal{fmt.Sprintf("the file has %s; frontdesk brings files of up to %s into Slack", Size(size), Size(MaxBytes))}
	case size <= 0:
		return &Refusal{"the file is empty"}
	}
	return nil
}

// Normalize lowers a MIME type and drops its parameters ("audio/ogg; codecs=opus" → "audio/ogg").
func Normalize(mimeType string) string {
	mt, _, err := mime.ParseMediaType(mimeType)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(mimeType))
	}
	return mt
}

// Verify checks that data is what its declared type says, where the bytes tell (images, PDF,
// video, audio): a file called invoice.pdf that is HTML is refused. Types the sniffer cannot
// tell (Office documents, plain text) pass.
func Verify(declared string, data []byte) error {
	mt := Normalize(declared)
	sniffed := Normalize(http.DetectContentType(data))
	switch {
	case sniffable[mt]:
		if sniffed != mt {
			return &Refusal{fmt.Sprintf("the file says it is %s but its content is %s", mt, sniffed)}
		}
	case sniffed == "text/html; charset=utf-8", strings.HasPrefix(sniffed, "text/html"):
		return &Refusal{"the file's content is a web page, not " + orUnknown(mt)}
	}
	return nil
}

// sniffable are the declared types whose content http.DetectContentType recognises.
var sniffable = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"image/bmp": true, "application/pdf": true}

// Name returns a file name to show for a file that came without one: "image.jpg".
func Name(name, mimeType string, kind string) string {
	if name = path.Base(strings.ReplaceAll(name, "\\", "/")); name != "" && name != "." && name != "/" {
		return name
	}
	if kind == "" {
		kind = "file"
	}
	if ext, ok := preferredExt[Normalize(mimeType)]; ok {
		return kind + ext
	}
	if exts, _ := mime.ExtensionsByType(Normalize(mimeType)); len(exts) > 0 {
		return kind + exts[0]
	}
	return kind
}

// preferredExt is the usual extension of the types customers send, where Go's table would pick
// a rare one first (".jfif").
var preferredExt = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
	"video/mp4": ".mp4", "video/3gpp": ".3gp", "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a",
	"audio/aac": ".aac", "audio/amr": ".amr", "application/pdf": ".pdf", "text/plain": ".txt"}

// Size renders a byte count for people: "5 MB", "830 KB".
func Size(n int64) string {
	switch {
	case n >= mb:
		if n%mb == 0 {
			return fmt.Sprintf("%d MB", n/mb)
		}
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+512)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func orUnknown(mt string) string {
	if mt == "" {
		return "unknown"
	}
	return mt
}
