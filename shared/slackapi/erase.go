package slackapi

import (
	"context"

	"github.com/frontdesk-app/frontdesk/shared/consent"
)

// ErasureAPI is the Slack side of an erasure (consent.Slack) on a Client.
type ErasureAPI struct{ Client *Client }

var _ consent.Slack = ErasureAPI{}

// PostMessage posts frontdesk's own text (the erasure line, the admins' list): not escaped.
func (e ErasureAPI) PostMessage(ctx context.Context, channel, threadTS, text string) (string, error) {
	return e.Client.PostMessage(ctx, channel, threadTS, text, nil)
}

// DeleteMessage is Client.DeleteMessage.
func (e ErasureAPI) DeleteMessage(ctx context.Context, channel, ts string) error {
	return e.Client.DeleteMessage(ctx, channel, ts)
}

// ThreadMessages lists the thread, marking what an app or bot posted.
func (e ErasureAPI) ThreadMessages(ctx context.Context, channel, threadTS string) ([]consent.SlackMessage, error) {
	msgs, err := e.Client.ThreadMessages(ctx, channel, threadTS)
	if err != nil {
		return nil, err
	}
	out := make([]consent.SlackMessage, 0, len(msgs))
	for _, m := range msgs {
		if m.SubType == "tombstone" {
			continue // a deleted message's tombstone
		}
		out = append(out, consent.SlackMessage{TS: m.TS, Bot: m.BotID != ""})
	}
	return out, nil
}

// Permalink is Client.Permalink.
func (e ErasureAPI) Permalink(ctx context.Context, channel, ts string) (string, error) {
	return e.Client.Permalink(ctx, channel, ts)
}
