package slackapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/files"
)

// errTooBig stops a download that grew past files.MaxBytes.
var errTooBig = errors.New("slackapi: file over the limit")

// capped is a bytes.Buffer that refuses to grow past max.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		return 0, errTooBig
	}
	return c.Buffer.Write(p)
}

// DownloadFile fetches a file an agent shared (its url_private_download) with the bot token,
// into memory. slack-go sends the token only to Slack's own https hosts or the configured API
// host. A file over files.MaxBytes is refused (Invalid, with a *files.Refusal in the chain)
// before or while it downloads.
func (c *Client) DownloadFile(ctx context.Context, ref channel.FileRef) (channel.File, error) {
	const op apperr.Op = "slackapi.DownloadFile"
	f := channel.File{Name: ref.Name, MIME: files.Normalize(ref.MIME)}
	if ref.Size > files.MaxBytes {
		err := files.ForDesk(ref.Size)
		return f, apperr.Wrap(op, apperr.Invalid, err, err.Error())
	}
	if ref.URL == "" {
		return f, apperr.E(op, apperr.Invalid, "the Slack file has no download URL")
	}
	ctx, cancel := context.WithTimeout(ctx, files.Timeout)
	defer cancel()
	buf := &capped{max: files.MaxBytes}
	if err := c.api.GetFileContext(ctx, ref.URL, buf); err != nil {
		if errors.Is(err, errTooBig) {
			rerr := files.ForDesk(files.MaxBytes + 1)
			return f, apperr.Wrap(op, apperr.Invalid, rerr, rerr.Error())
		}
		return f, mapError(op, err)
	}
	f.Data = buf.Bytes()
	return f, nil
}

// UploadFile posts f into the thread threadTS of channel through Slack's external upload flow
// (files.getUploadURLExternal, the upload, files.completeUploadExternal with thread_ts), with
// comment as the message's text (mrkdwn, escaped by the caller). The bytes go from memory to
// Slack; nothing is written anywhere else.
func (c *Client) UploadFile(ctx context.Context, channelID, threadTS string, f channel.File, comment string) error {
	const op apperr.Op = "slackapi.UploadFile"
	if err := files.ForDesk(int64(len(f.Data))); err != nil {
		return apperr.Wrap(op, apperr.Invalid, err, err.Error())
	}
	ctx, cancel := context.WithTimeout(ctx, files.Timeout)
	defer cancel()
	name := files.Name(f.Name, f.MIME, "file")
	err := c.retry(ctx, func() error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader:          bytes.NewReader(f.Data),
			FileSize:        len(f.Data),
			Filename:        name,
			Title:           name,
			InitialComment:  comment,
			Channel:         channelID,
			ThreadTimestamp: threadTS,
		})
		return err
	})
	if err != nil {
		return mapError(op, fmt.Errorf("upload %d bytes: %w", len(f.Data), err))
	}
	return nil
}
