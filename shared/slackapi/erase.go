package slackapi

import (
	"context"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/consent"
)

// ErasureAPI is the Slack side of an erasure (consent.Slack) on a Client.
type ErasureAPI struct{ Client *Client }

var _ consent.Slack = ErasureAPI{}

// ErasedLine is the one line an erasure leaves in the thread.
const ErasedLine = ":wastebasket: Conversation erased at the customer's request."

// PostErased posts ErasedLine into the thread.
func (e ErasureAPI) PostErased(ctx context.Context, channel, threadTS string) (string, error) {
	return e.Client.PostMessage(ctx, channel, threadTS, ErasedLine, nil)
}

// ListLeftovers posts, in the channel, the links of the messages the bot could not delete, for
// their authors or a workspace admin.
func (e ErasureAPI) ListLeftovers(ctx context.Context, channel string, links []string) error {
	var b strings.Builder
	b.WriteString(":wastebasket: A customer's conversation was erased at their request. Messages the bot cannot delete remain " +
		"(written by agents or other apps): their authors or a workspace admin must delete them:")
	for _, l := range links {
		b.WriteString("\n• <" + l + ">")
	}
	_, err := e.Client.PostMessage(ctx, channel, "", b.String(), nil)
	return err
}

// DeleteMessage is Client.DeleteMessage.
func (e ErasureAPI) DeleteMessage(ctx context.Context, channel, ts string) error {
	return e.Client.DeleteMessage(ctx, channel, ts)
}

// DeleteFile is Client.DeleteFile.
func (e ErasureAPI) DeleteFile(ctx context.Context, id string) error {
	return e.Client.DeleteFile(ctx, id)
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
		out = append(out, consent.SlackMessage{TS: m.TS, Bot: m.BotID != "", Files: m.Files})
	}
	return out, nil
}

// Permalink is Client.Permalink.
func (e ErasureAPI) Permalink(ctx context.Context, channel, ts string) (string, error) {
	return e.Client.Permalink(ctx, channel, ts)
}
