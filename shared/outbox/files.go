package outbox

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
	"path"
	"regexp"
	"strings"
)

// Files the local stack holds in memory in place of Meta's and Slack's storage: a customer's
// media (POST /_local/media) and an agent's Slack file (POST /_local/slack-files). The outbox
// answers their downloads, and records uploads (WhatsApp media, Send API attachments, Slack's
// upload URL) as a JSON summary of the form: its fields and {"file": {name, type, size}}.

// maxLocalFile bounds a file registered with the local stack; maxLocalFiles how many it keeps
// (the oldest go first).
const (
	maxLocalFile  = 25 << 20
	maxLocalFiles = 20
)

type localFile struct {
	id, name, mime string
	data           []byte
}

// Hosts and paths of the local files' URLs, as the real services use them.
const (
	lookasideURL  = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid="
	cdnURL        = "https://scontent.xx.fbcdn.net/local/"
	slackFilesURL = "https://files.slack.com/files-pri/T0LOCAL-"
	slackUpload   = "https://files.slack.com/upload/v1/"
)

var mediaLookupRE = regexp.MustCompile(`^/v\d+\.\d+/([0-9]+)$`)

func (o *Outbox) files() map[string]*localFile {
	if o.stored == nil {
		o.stored = map[string]*localFile{}
	}
	return o.stored
}

func (o *Outbox) addFile(prefix, name, mimeType string, data []byte) *localFile {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	f := &localFile{id: fmt.Sprintf("%s%06d", prefix, o.seq), name: name, mime: mimeType, data: data}
	o.files()[f.id] = f
	o.order = append(o.order, f.id)
	if len(o.order) > maxLocalFiles {
		delete(o.stored, o.order[0])
		o.order = o.order[1:]
	}
	return f
}

func (o *Outbox) file(id string) (*localFile, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f, ok := o.files()[id]
	return f, ok
}

// download answers a GET of a local file's URL (WhatsApp's lookaside URL, the attachment CDN,
// Slack's url_private_download), or reports that req is none.
func (o *Outbox) download(req *http.Request) (*http.Response, bool) {
	if req.Method != http.MethodGet {
		return nil, false
	}
	u := req.URL.String()
	var id string
	switch {
	case strings.HasPrefix(u, lookasideURL):
		id = req.URL.Query().Get("mid")
	case strings.HasPrefix(u, cdnURL):
		id = strings.TrimPrefix(req.URL.Path, "/local/")
	case strings.HasPrefix(u, slackFilesURL):
		id, _, _ = strings.Cut(strings.TrimPrefix(u, slackFilesURL), "/")
	default:
		return nil, false
	}
	f, ok := o.file(id)
	if !ok {
		return respond(req, http.StatusNotFound, graphError("no such local file", 100)), true
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {f.mime}}, Body: io.NopCloser(bytes.NewReader(f.data)),
		ContentLength: int64(len(f.data)), Request: req}, true
}

// multipartSummary is a multipart body as the outbox records it: its text fields (JSON-valued
// ones embedded) and the file part's name, type and size, never its bytes.
func multipartSummary(contentType string, body []byte) (json.RawMessage, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, err
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	obj := map[string]any{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("multipart body: %w", err)
		}
		b, _ := io.ReadAll(p)
		if p.FileName() != "" {
			obj[p.FormName()] = map[string]any{"name": p.FileName(), "type": p.Header.Get("Content-Type"), "size": len(b)}
			continue
		}
		if p.FormName() == "token" {
			continue
		}
		if json.Valid(b) && (bytes.HasPrefix(b, []byte("{")) || bytes.HasPrefix(b, []byte("["))) {
			obj[p.FormName()] = json.RawMessage(b)
		} else {
			obj[p.FormName()] = string(b)
		}
	}
	return json.Marshal(obj)
}

// mediaLookup answers GET /{media-id}: the local media's URL, type, hash and size.
func (o *Outbox) mediaLookup(id string) any {
	f, ok := o.file(id)
	if !ok {
		return graphError("Unsupported get request. Object with ID '"+id+"' does not exist", 100)
	}
	sum := sha256.Sum256(f.data)
	return map[string]any{"messaging_product": "whatsapp", "url": lookasideURL + f.id, "mime_type": f.mime,
		"sha256": hex.EncodeToString(sum[:]), "file_size": len(f.data), "id": f.id}
}

// localFilesHandler serves POST /_local/media (a customer's media: the body with its
// Content-Type; answers the WhatsApp media id and the Messenger attachment URL) and
// POST /_local/slack-files?name=… (an agent's file: answers the file object of a file_share
// event).
func (o *Outbox) registerFile(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxLocalFile+1))
	mt, _, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil || len(data) == 0:
		http.Error(w, "send the file's bytes as the body", http.StatusBadRequest)
		return
	case len(data) > maxLocalFile:
		http.Error(w, "the local stack holds files of up to 25 MB", http.StatusRequestEntityTooLarge)
		return
	case perr != nil:
		http.Error(w, "send the file's type as Content-Type", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/_local/media" {
		// Digits only: WhatsApp media ids are numbers, and GET /{id} tells them from paths.
		f := o.addFile("9", r.URL.Query().Get("name"), mt, data)
		sum := sha256.Sum256(data)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": f.id, "mime_type": mt, "sha256": hex.EncodeToString(sum[:]), "url": cdnURL + f.id})
		return
	}
	name := path.Base(r.URL.Query().Get("name"))
	if name == "." || name == "/" {
		name = "file"
	}
	f := o.addFile("F0LOCAL", name, mt, data)
	dl := slackFilesURL + f.id + "/download/" + name
	_ = json.NewEncoder(w).Encode(map[string]any{"id": f.id, "name": name, "title": name, "mimetype": mt, "size": len(data),
		"mode": "hosted", "url_private": strings.Replace(dl, "/download/", "/", 1), "url_private_download": dl})
}
