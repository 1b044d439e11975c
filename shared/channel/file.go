package channel

import "log/slog"

// FileRef locates a file at its source without holding it: a file an agent shared in Slack
// (URL is its url_private_download) or media a customer sent (ID is the WhatsApp media id, URL
// the Messenger/Instagram attachment URL). It is what travels on the queue; the bytes never do.
type FileRef struct {
	ID     string `json:"id,omitempty"`
	URL    string `json:"url,omitempty"`
	Name   string `json:"name,omitempty"`
	MIME   string `json:"mime,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// LogValue implements slog.LogValuer: the type and size, no name (a file name can be personal)
// and no URL.
func (f FileRef) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mime", f.MIME), slog.Int64("size", f.Size))
}

// File is a file's bytes on their way between an agent and a customer. It lives in memory for
// one delivery: never queued, stored or logged.
type File struct {
	Name string
	MIME string
	Data []byte
	// Caption is text sent with the file, where the surface allows one.
	Caption string
}

// LogValue implements slog.LogValuer: type and size only.
func (f File) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mime", f.MIME), slog.Int("size", len(f.Data)))
}
