package graphtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Media is a file the fake holds: uploaded by the client (POST /{phone-number-id}/media) or
// added by a test as what a customer sent (AddMedia, AddAttachment).
type Media struct {
	ID      string
	Account string // the phone number id it belongs to (WhatsApp)
	MIME    string
	Name    string
	Data    []byte
	// Uploaded is set on media the client uploaded.
	Uploaded bool
}

// Upload is the file part of a multipart request the fake received.
type Upload struct {
	Field, Name, MIME string
	Size              int
}

// WhatsApp media limits the fake enforces on uploads, by type
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#supported-media-types).
var waUploadLimits = map[string]int{
	"image/jpeg": 5 << 20, "image/png": 5 << 20, "image/webp": 500 << 10,
	"video/mp4": 16 << 20, "video/3gpp": 16 << 20,
	"audio/aac": 16 << 20, "audio/amr": 16 << 20, "audio/mpeg": 16 << 20, "audio/mp4": 16 << 20, "audio/ogg": 16 << 20,
	"application/pdf": 100 << 20, "text/plain": 100 << 20, "application/msword": 100 << 20,
	"application/vnd.ms-excel": 100 << 20, "application/vnd.ms-powerpoint": 100 << 20,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   100 << 20,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         100 << 20,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 << 20,
}

// waKindOf is the message type a WhatsApp media of this MIME type is sent as.
func waKindOf(mt string) string {
	switch {
	case mt == "image/webp":
		return "sticker"
	case strings.HasPrefix(mt, "image/"):
		return "image"
	case strings.HasPrefix(mt, "video/"):
		return "video"
	case strings.HasPrefix(mt, "audio/"):
		return "audio"
	}
	return "document"
}

// AddMedia adds media a customer sent on WhatsApp to phone number id account and returns its
// media id, as it arrives in a webhook.
func (s *Server) AddMedia(account, mimeType, name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("%d", 1000000000000000+s.seq)
	s.media()[id] = &Media{ID: id, Account: account, MIME: mimeType, Name: name, Data: data}
	return id
}

// AddAttachment adds a Messenger/Instagram attachment a customer sent and returns its URL, as it
// arrives in a webhook's attachment payload (a CDN URL that needs no token).
func (s *Server) AddAttachment(mimeType string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("att%06d", s.seq)
	s.media()[id] = &Media{ID: id, MIME: mimeType, Data: data}
	return s.srv.URL + BasePath + "/cdn/" + id
}

// MediaByID returns the media with id (uploaded or added).
func (s *Server) MediaByID(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media()[id]
	if !ok {
		return Media{}, false
	}
	return *m, true
}

// media returns the media map; s.mu must be held.
func (s *Server) media() map[string]*Media {
	if s.store == nil {
		s.store = map[string]*Media{}
	}
	return s.store
}

var (
	uploadRE   = regexp.MustCompile(`^/(v\d+\.\d+)/([^/]+)/media$`)
	mediaGetRE = regexp.MustCompile(`^/(v\d+\.\d+)/([0-9]+)$`)
	downloadRE = regexp.MustCompile(`^/media-download/([^/]+)$`)
	cdnRE      = regexp.MustCompile(`^/cdn/([^/]+)$`)
)

// serveMedia serves the media routes and reports whether rest was one of them.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request, rest string) bool {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case uploadRE.MatchString(rest):
		s.upload(w, r, rest, uploadRE.FindStringSubmatch(rest)[2], token)
	case mediaGetRE.MatchString(rest) && r.Method == http.MethodGet:
		s.mediaURL(w, r, rest, mediaGetRE.FindStringSubmatch(rest)[2], token)
	case downloadRE.MatchString(rest):
		s.record(Request{Method: r.Method, Path: rest, Token: token})
		m, ok := s.MediaByID(downloadRE.FindStringSubmatch(rest)[1])
		// Meta answers the media URL only with the token of the business that owns the media.
		if !ok || m.Uploaded || token == "" || s.accounts.WhatsApp[m.Account] != token {
			s.t.Errorf("graphtest: media download %s without the owner's token or of unknown media", rest)
			w.WriteHeader(http.StatusNotFound)
			return true
		}
		w.Header().Set("Content-Type", m.MIME)
		w.Header().Set("Content-Length", strconv.Itoa(len(m.Data)))
		_, _ = w.Write(m.Data)
	case cdnRE.MatchString(rest):
		s.record(Request{Method: r.Method, Path: rest, Token: token})
		m, ok := s.MediaByID(cdnRE.FindStringSubmatch(rest)[1])
		if token != "" {
			s.t.Errorf("graphtest: a token was sent to the attachment CDN")
		}
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return true
		}
		w.Header().Set("Content-Type", m.MIME)
		_, _ = w.Write(m.Data)
	default:
		return false
	}
	return true
}

func (s *Server) record(req Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
}

// mediaURL answers GET /{media-id}: the media's URL, type, sha256 and size
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media#retrieve-media-url).
func (s *Server) mediaURL(w http.ResponseWriter, r *http.Request, rest, id, token string) {
	s.record(Request{Method: r.Method, Path: rest, Token: token, Account: r.URL.Query().Get("phone_number_id"), Surface: "whatsapp"})
	m, ok := s.MediaByID(id)
	switch {
	case !ok:
		writeError(w, Failure{Status: 400, Code: 100, Subcode: 33, Type: "GraphMethodException", Message: "Unsupported get request. Object with ID '" + id + "' does not exist"})
		return
	case token == "" || s.accounts.WhatsApp[m.Account] != token:
		writeError(w, TokenInvalid)
		return
	case r.URL.Query().Get("phone_number_id") != "" && r.URL.Query().Get("phone_number_id") != m.Account:
		writeError(w, Failure{Status: 400, Code: 100, Type: "OAuthException", Message: "(#100) Media does not belong to the phone number"})
		return
	}
	sum := sha256.Sum256(m.Data)
	w.Header().Set("Content-Type", "application/json")
	// The URL points back at the host the client asked, so a proxy in front of the fake (the
	// client's configured Graph host) serves the download too.
	host := r.Header.Get("X-Forwarded-Host")
	if host == "" {
		host = r.Host
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "url": "http://" + host + BasePath + "/media-download/" + id,
		"mime_type": m.MIME, "sha256": hex.EncodeToString(sum[:]), "file_size": len(m.Data), "id": id})
}

// upload serves POST /{phone-number-id}/media: multipart with messaging_product=whatsapp, type
// and the file, within WhatsApp's type and size limits.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, rest, account, token string) {
	req := Request{Method: r.Method, Path: rest, Account: account, Surface: "whatsapp", Token: token}
	fields, up, data, err := readMultipart(r, "file")
	req.JSON, req.Upload = fields, up
	s.record(req)
	var problem string
	switch {
	case r.Method != http.MethodPost:
		problem = "method must be POST"
	case s.accounts.WhatsApp[account] == "":
		writeError(w, Failure{Status: 400, Code: 100, Subcode: 33, Type: "GraphMethodException", Message: "Unsupported post request."})
		return
	case token != s.accounts.WhatsApp[account]:
		writeError(w, TokenInvalid)
		return
	case err != nil:
		problem = "body is not multipart/form-data with a file: " + err.Error()
	case fields["messaging_product"] != "whatsapp":
		problem = `messaging_product must be "whatsapp"`
	case fields["type"] == "" || fields["type"] != up.MIME:
		problem = fmt.Sprintf("type %q must be the file's MIME type %q", fields["type"], up.MIME)
	case waUploadLimits[up.MIME] == 0:
		problem = "unsupported media type " + up.MIME
	case len(data) > waUploadLimits[up.MIME]:
		problem = fmt.Sprintf("file of %d bytes is over the %d bytes allowed for %s", len(data), waUploadLimits[up.MIME], up.MIME)
	case len(data) == 0:
		problem = "the file is empty"
	}
	if problem != "" {
		s.t.Errorf("graphtest: media upload: %s", problem)
		writeError(w, Failure{Status: 400, Code: 100, Type: "OAuthException", Message: "(#100) Param file is invalid: " + problem})
		return
	}
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("%d", 2000000000000000+s.seq)
	s.media()[id] = &Media{ID: id, Account: account, MIME: up.MIME, Name: up.Name, Data: data, Uploaded: true}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q}`, id)
}

// readMultipart reads a multipart/form-data body: its text fields (JSON-valued ones decoded)
// and its one file part under fileField.
func readMultipart(r *http.Request, fileField string) (map[string]any, *Upload, []byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, nil, nil, fmt.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	fields := map[string]any{}
	var up *Upload
	var data []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fields, up, data, err
		}
		b, err := io.ReadAll(io.LimitReader(p, 200<<20))
		if err != nil {
			return fields, up, data, err
		}
		if p.FileName() != "" || p.FormName() == fileField {
			if p.FormName() != fileField || up != nil {
				return fields, up, data, fmt.Errorf("unexpected file part %q", p.FormName())
			}
			up = &Upload{Field: p.FormName(), Name: p.FileName(), MIME: p.Header.Get("Content-Type"), Size: len(b)}
			data = b
			continue
		}
		var v any
		if json.Valid(b) && (bytes.HasPrefix(b, []byte("{")) || bytes.HasPrefix(b, []byte("["))) {
			_ = json.Unmarshal(b, &v)
		} else {
			v = string(b)
		}
		fields[p.FormName()] = v
	}
	if up == nil {
		return fields, nil, nil, fmt.Errorf("no %q file part", fileField)
	}
	return fields, up, data, nil
}

// checkAttachment validates a multipart Send API call with an attachment (Messenger and
// Instagram): recipient, message.attachment{type, payload}, the file's type against the
// attachment type and the surface's size limit (Messenger 25 MB; Instagram images 8 MB).
func checkAttachment(surface string, fields map[string]any, up *Upload) (p []string) {
	rcpt, _ := fields["recipient"].(map[string]any)
	if id, _ := rcpt["id"].(string); id == "" {
		p = append(p, "recipient.id is required")
	}
	switch mtype, _ := fields["messaging_type"].(string); mtype {
	case "RESPONSE", "UPDATE":
	case "MESSAGE_TAG":
		if tag, _ := fields["tag"].(string); tag != "HUMAN_AGENT" {
			p = append(p, "MESSAGE_TAG needs tag HUMAN_AGENT")
		}
	default:
		p = append(p, "messaging_type is required")
	}
	msg, _ := fields["message"].(map[string]any)
	att, _ := msg["attachment"].(map[string]any)
	typ, _ := att["type"].(string)
	if _, ok := att["payload"].(map[string]any); !ok {
		p = append(p, "message.attachment.payload is required")
	}
	if len(msg) != 1 {
		p = append(p, "message must hold only the attachment (no text with an uploaded file)")
	}
	want := map[string]string{"image": "image/", "video": "video/", "audio": "audio/"}[typ]
	switch {
	case typ != "image" && typ != "video" && typ != "audio" && typ != "file":
		p = append(p, fmt.Sprintf("attachment type %q must be image, video, audio or file", typ))
	case want != "" && !strings.HasPrefix(up.MIME, want):
		p = append(p, fmt.Sprintf("attachment type %s with a file of type %s", typ, up.MIME))
	}
	max := 25 << 20
	if surface == "instagram" && typ == "image" {
		max = 8 << 20
	}
	if up.Size == 0 || up.Size > max {
		p = append(p, fmt.Sprintf("file of %d bytes, want 1-%d", up.Size, max))
	}
	return p
}
