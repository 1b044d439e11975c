package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// File is a file the fake holds: shared by an agent (AddFile) or uploaded by the client through
// the external upload flow.
type File struct {
	ID, Name, Title, MIME string
	Data                  []byte
	// Length is what files.getUploadURLExternal was told; Uploaded and Completed track the flow.
	Length              int
	Uploaded, Completed bool
	// ByBot is set on files the bot uploaded; Deleted once files.delete removed one.
	ByBot, Deleted bool
}

// Sources: https://docs.slack.dev/reference/methods/files.getUploadURLExternal,
// https://docs.slack.dev/reference/methods/files.completeUploadExternal,
// https://docs.slack.dev/messaging/working-with-files (url_private_download needs the token).

// AddFile stores a file as if an agent had shared it in Slack and returns the file object of a
// file_share message event (id, name, mimetype, size, url_private, url_private_download).
func (s *Server) AddFile(name, mimeType string, data []byte) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("F0FAKE%05d", s.seq)
	s.fileMap()[id] = &File{ID: id, Name: name, Title: name, MIME: mimeType, Data: data, Length: len(data), Uploaded: true, Completed: true}
	url := s.srv.URL + "/files-pri/T0FAKE-" + id + "/download/" + name
	return map[string]any{"id": id, "name": name, "title": name, "mimetype": mimeType, "filetype": strings.TrimPrefix(mimeType, "application/"),
		"size": len(data), "mode": "hosted", "url_private": strings.Replace(url, "/download/", "/", 1), "url_private_download": url}
}

// UploadedFile returns a file uploaded through the external upload flow.
func (s *Server) UploadedFile(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.fileMap()[id]
	if !ok {
		return File{}, false
	}
	return *f, true
}

func (s *Server) fileMap() map[string]*File {
	if s.files == nil {
		s.files = map[string]*File{}
	}
	return s.files
}

// getUploadURL answers files.getUploadURLExternal: filename and length (> 0) are required.
func (s *Server) getUploadURL(f map[string]string, answer func(int, map[string]any) result, fail func(string) result) result {
	n, err := strconv.Atoi(f["length"])
	switch {
	case f["filename"] == "":
		return fail("invalid_arguments")
	case err != nil || n <= 0:
		return fail("invalid_arguments")
	case n > 1<<30:
		return fail("file_too_large")
	}
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("F0UPLD%05d", s.seq)
	s.fileMap()[id] = &File{ID: id, Name: f["filename"], Length: n}
	s.mu.Unlock()
	return answer(http.StatusOK, map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/v1/" + id, "file_id": id})
}

// serveUpload takes the bytes of a file at its upload URL, raw or as multipart; Slack answers
// "OK - <length>" in text. The length must be what files.getUploadURLExternal was told.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	var data []byte
	var ct string
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FileName() != "" || p.FormName() == "file" {
				data, _ = io.ReadAll(io.LimitReader(p, 1<<30))
				ct = p.Header.Get("Content-Type")
			}
		}
	} else {
		data, _ = io.ReadAll(io.LimitReader(r.Body, 1<<30))
		ct = r.Header.Get("Content-Type")
	}
	s.mu.Lock()
	f, ok := s.fileMap()[id]
	problem := ""
	switch {
	case r.Method != http.MethodPost:
		problem = "upload must be POST"
	case !ok:
		problem = "unknown upload URL " + r.URL.Path
	case f.Uploaded:
		problem = "uploaded twice"
	case len(data) != f.Length:
		problem = fmt.Sprintf("uploaded %d bytes, files.getUploadURLExternal was told %d", len(data), f.Length)
	default:
		f.Data, f.Uploaded, f.MIME = data, true, ct
	}
	s.mu.Unlock()
	if problem != "" {
		s.t.Errorf("slacktest: file upload: %s", problem)
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", len(data))
}

// completeUpload answers files.completeUploadExternal: every file must have been uploaded, the
// channel known and thread_ts (if any) a message there; the files are then shared as a message
// in the thread, with initial_comment as its text.
func (s *Server) completeUpload(call *Call, f map[string]string, answer func(int, map[string]any) result, fail func(string) result) result {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(f["files"]), &list); err != nil || len(list) == 0 {
		return fail("invalid_arguments")
	}
	call.Channel, call.ThreadTS, call.Text = f["channel_id"], f["thread_ts"], f["initial_comment"]
	if call.Channel != "" && !s.channels[call.Channel] {
		return fail("channel_not_found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var shared []File
	for _, it := range list {
		file, ok := s.fileMap()[it.ID]
		switch {
		case !ok:
			return fail("file_not_found")
		case !file.Uploaded:
			return fail("file_upload_incomplete") // the bytes never reached the upload URL
		case file.Completed:
			return fail("file_already_completed")
		}
		file.Completed, file.ByBot = true, true
		if it.Title != "" {
			file.Title = it.Title
		}
		shared = append(shared, *file)
	}
	if call.Channel == "" {
		return answer(http.StatusOK, map[string]any{"ok": true, "files": list})
	}
	m := &Message{Channel: call.Channel, TS: s.nextTS(), Text: call.Text, Files: shared, User: BotUserID, BotID: BotID}
	if call.ThreadTS != "" {
		if !tsRE.MatchString(call.ThreadTS) {
			return fail("invalid_thread_ts")
		}
		parent, ok := s.messages[call.Channel+"/"+call.ThreadTS]
		if !ok {
			call.Orphan = true
		} else {
			m.ThreadTS = call.ThreadTS
			parent.ThreadTS = parent.TS
		}
	}
	call.TS = m.TS
	s.store(m)
	return answer(http.StatusOK, map[string]any{"ok": true, "files": list})
}

// serveDownload serves url_private_download: only with the bot token in the Authorization
// header (Slack otherwise redirects to its sign-in page, which this fake reports).
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/files-pri/")
	team, _, _ := strings.Cut(rest, "/")
	id := strings.TrimPrefix(team, "T0FAKE-")
	s.mu.Lock()
	f, ok := s.fileMap()[id]
	s.mu.Unlock()
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "GET " + r.URL.Path, Status: http.StatusOK, TokenIn: tokenWhere(r)})
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		s.t.Errorf("slacktest: file download without the bot token in the Authorization header")
		http.Redirect(w, r, "/?redir="+r.URL.Path, http.StatusFound)
		return
	}
	if !ok || f.Deleted {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.MIME)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}

func tokenWhere(r *http.Request) string {
	if r.Header.Get("Authorization") != "" {
		return "header"
	}
	return ""
}

// deleteFile answers files.delete (https://docs.slack.dev/reference/methods/files.delete): a bot
// token deletes only the files it uploaded.
func (s *Server) deleteFile(f map[string]string, answer func(int, map[string]any) result, fail func(string) result) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	file, ok := s.fileMap()[f["file"]]
	switch {
	case !ok:
		return fail("file_not_found")
	case file.Deleted:
		return fail("file_deleted")
	case !file.ByBot:
		return fail("cant_delete_file")
	}
	file.Deleted, file.Data = true, nil
	return answer(http.StatusOK, map[string]any{"ok": true})
}
