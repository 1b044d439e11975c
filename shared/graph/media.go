package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/files"
)

// WhatsAppCaptionMax is the longest caption of a WhatsApp image, video or document.
const WhatsAppCaptionMax = 1024

// metaMediaHosts are the hosts Meta serves media from: the WhatsApp media URL
// (lookaside.fbsbx.com) and the Messenger/Instagram attachment CDNs. Media is fetched only from
// them (or from the configured Graph host, for fakes), so a payload cannot make frontdesk fetch
// an arbitrary URL, nor send a token anywhere else.
var metaMediaHosts = []string{"fbsbx.com", "fbcdn.net", "facebook.com", "cdninstagram.com", "instagram.com", "whatsapp.net"}

// FetchMedia downloads the media a customer sent, into memory: for WhatsApp the media id is
// looked up (GET /{media-id}) and its URL fetched with the token; for Messenger and Instagram
// the attachment URL is fetched as it is. Files over files.MaxBytes are refused before or while
// downloading (an *apperr.Error of kind Invalid with a *files.Refusal in its chain), and a
// WhatsApp download is checked against its sha256.
func (c *Client) FetchMedia(ctx context.Context, key channel.Key, ref channel.FileRef) (channel.File, error) {
	const op apperr.Op = "graph.FetchMedia"
	ctx, cancel := context.WithTimeout(ctx, files.Timeout)
	defer cancel()
	f := channel.File{Name: ref.Name, MIME: ref.MIME}
	token := ""
	target := ref.URL
	if key.Surface == channel.WhatsApp {
		if ref.ID == "" {
			return f, apperr.E(op, apperr.Invalid, "the WhatsApp media has no id")
		}
		token = c.cfg.Tokens.WhatsApp
		var meta struct {
			URL      string      `json:"url"`
			MIME     string      `json:"mime_type"`
			SHA256   string      `json:"sha256"`
			FileSize json.Number `json:"file_size"`
		}
		q := url.Values{"phone_number_id": {key.Account}}
		if token == "" {
			return f, apperr.E(op, apperr.Internal, "no access token configured for WhatsApp")
		}
		if err := c.cfg.Transport.Get(ctx, c.base+"/"+url.PathEscape(ref.ID)+"?"+q.Encode(), token, &meta); err != nil {
			return f, Classify(op, err)
		}
		if size, err := meta.FileSize.Int64(); err == nil {
			if err := files.ForDesk(size); err != nil {
				return f, apperr.Wrap(op, apperr.Invalid, err, err.Error())
			}
		}
		target, f.MIME = meta.URL, files.Normalize(meta.MIME)
		if ref.SHA256 == "" {
			ref.SHA256 = meta.SHA256
		}
	}
	if !c.mediaHost(target) {
		return f, apperr.E(op, apperr.Invalid, "the media URL is not on a Meta host")
	}
	data, mt, err := c.download(ctx, target, token)
	if err != nil {
		return f, err
	}
	if f.MIME == "" {
		f.MIME = files.Normalize(mt)
	}
	if ref.SHA256 != "" && key.Surface == channel.WhatsApp {
		// The webhook gives the sha256 in base64, the media URL lookup in hex.
		sum := sha256.Sum256(data)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), ref.SHA256) && base64.StdEncoding.EncodeToString(sum[:]) != ref.SHA256 {
			return f, apperr.E(op, apperr.Transient, "the media download does not match its sha256")
		}
	}
	f.Data = data
	return f, nil
}

// mediaHost reports whether raw is an https URL on a Meta media host, or on the configured Graph
// host (a fake or proxy).
func (c *Client) mediaHost(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if b, err := url.Parse(c.cfg.BaseURL); err == nil && strings.EqualFold(u.Host, b.Host) && u.Scheme == b.Scheme {
		return true
	}
	if u.Scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range metaMediaHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// download GETs target (with the token when one is given) and returns at most files.MaxBytes.
func (c *Client) download(ctx context.Context, target, token string) ([]byte, string, error) {
	const op apperr.Op = "graph.download"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, "", apperr.Wrap(op, apperr.Invalid, err, "bad media URL")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.cfg.Transport.Doer().Do(req)
	if err != nil {
		return nil, "", apperr.Wrap(op, apperr.Transient, &netError{err: err}, "media download failed")
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		return nil, "", Classify(op, apiError(resp, data, c.cfg.Now))
	}
	if resp.ContentLength > files.MaxBytes {
		err := files.ForDesk(resp.ContentLength)
		return nil, "", apperr.Wrap(op, apperr.Invalid, err, err.Error())
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, files.MaxBytes+1))
	if err != nil {
		return nil, "", apperr.Wrap(op, apperr.Transient, err, "media download broke off")
	}
	if len(data) > files.MaxBytes {
		err := files.ForDesk(int64(len(data)))
		return nil, "", apperr.Wrap(op, apperr.Invalid, err, err.Error())
	}
	return data, resp.Header.Get("Content-Type"), nil
}

// sendFile sends r.File: on WhatsApp it is uploaded (POST /{phone-number-id}/media) and sent by
// its media id, with r.Text as its caption where WhatsApp shows one; on Messenger and Instagram
// it is uploaded and sent in one multipart Send API call (attachments carry no caption: send the
// text on its own). The file must pass files.ForCustomer; otherwise nothing is sent and the
// error (Invalid) holds the *files.Refusal.
func (c *Client) sendFile(ctx context.Context, key channel.Key, r channel.Reply) (string, error) {
	const op apperr.Op = "graph.sendFile"
	f := r.File
	kind, err := files.ForCustomer(key.Surface, f.MIME, int64(len(f.Data)))
	if err != nil {
		return "", apperr.Wrap(op, apperr.Invalid, err, err.Error())
	}
	if err := files.Verify(f.MIME, f.Data); err != nil {
		return "", apperr.Wrap(op, apperr.Invalid, err, err.Error())
	}
	ctx, cancel := context.WithTimeout(ctx, files.Timeout)
	defer cancel()
	mt := files.Normalize(f.MIME)
	name := files.Name(f.Name, mt, string(kind))
	switch key.Surface {
	case channel.WhatsApp:
		if r.Text != "" && (kind == files.Audio || kind == files.Sticker) {
			return "", apperr.E(op, apperr.Invalid, "WhatsApp shows no caption on audio")
		}
		if utf8.RuneCountInString(r.Text) > WhatsAppCaptionMax {
			return "", apperr.E(op, apperr.Invalid, "the caption is over 1024 characters")
		}
		body, ctype, err := multipartBody(map[string]string{"messaging_product": "whatsapp", "type": mt}, "file", name, mt, f.Data)
		if err != nil {
			return "", apperr.Wrap(op, apperr.Internal, err, "encode the upload")
		}
		var up struct {
			ID string `json:"id"`
		}
		if c.cfg.Tokens.WhatsApp == "" {
			return "", apperr.E(op, apperr.Internal, "no access token configured for WhatsApp")
		}
		if err := c.cfg.Transport.Post(ctx, c.base+"/"+url.PathEscape(key.Account)+"/media", c.cfg.Tokens.WhatsApp, ctype, body, &up); err != nil {
			return "", Classify(op, err)
		}
		if up.ID == "" {
			return "", apperr.E(op, apperr.Internal, "whatsapp answered the upload without a media id")
		}
		m := &waMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: key.User, Type: string(kind)}
		if r.ReplyTo != "" {
			m.Context = &waContext{MessageID: r.ReplyTo}
		}
		media := &waMedia{ID: up.ID, Caption: r.Text}
		switch kind {
		case files.Image:
			m.Image = media
		case files.Video:
			m.Video = media
		case files.Audio:
			m.Audio = media
		default:
			media.Filename = name
			m.Document = media
		}
		var out waResponse
		if err := c.post(ctx, c.base, key.Account, c.cfg.Tokens.WhatsApp, m, &out); err != nil {
			return "", err
		}
		if len(out.Messages) == 0 || out.Messages[0].ID == "" {
			return "", apperr.E(op, apperr.Internal, "whatsapp answered without a message id")
		}
		return out.Messages[0].ID, nil
	case channel.Messenger, channel.Instagram:
		if r.Text != "" {
			return "", apperr.E(op, apperr.Invalid, "Messenger and Instagram attachments carry no caption")
		}
		typ := string(kind)
		if kind == files.Document {
			typ = "file"
		}
		rcpt, _ := json.Marshal(recipient{ID: key.User})
		msg, _ := json.Marshal(map[string]any{"attachment": map[string]any{"type": typ, "payload": map[string]bool{"is_reusable": false}}})
		fields := map[string]string{"recipient": string(rcpt), "message": string(msg), "messaging_type": MessagingTypeResponse}
		if r.Tag != "" {
			fields["messaging_type"], fields["tag"] = MessagingTypeMessageTag, r.Tag
		}
		body, ctype, err := multipartBody(fields, "filedata", name, mt, f.Data)
		if err != nil {
			return "", apperr.Wrap(op, apperr.Internal, err, "encode the upload")
		}
		base, token := c.base, c.cfg.Tokens.Page
		if key.Surface == channel.Instagram {
			base, token = c.igBase, c.instagramToken()
		}
		var out struct {
			MessageID string `json:"message_id"`
		}
		if token == "" {
			return "", apperr.E(op, apperr.Internal, "no access token configured for this surface")
		}
		if err := c.cfg.Transport.Post(ctx, base+"/"+url.PathEscape(key.Account)+"/messages", token, ctype, body, &out); err != nil {
			return "", Classify(op, err)
		}
		if out.MessageID == "" {
			return "", apperr.E(op, apperr.Internal, "the Send API answered without a message id")
		}
		return out.MessageID, nil
	}
	return "", apperr.E(op, apperr.Invalid, "a private reply to a comment carries text only")
}

// waMedia is the media object of a WhatsApp media message, sent by the id of an upload.
type waMedia struct {
	ID       string `json:"id"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// multipartBody encodes fields and one file part as multipart/form-data.
func multipartBody(fields map[string]string, fileField, name, mimeType string, data []byte) ([]byte, string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if err := w.WriteField(k, fields[k]); err != nil {
			return nil, "", err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+fileField+`"; filename="`+strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(name)+`"`)
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}
