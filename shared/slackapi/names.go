package slackapi

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

// How long a resolved name is kept, and how many are: an agent renamed in Slack is seen within
// the hour, and a warm Lambda does not call users.info for every reply.
const (
	nameTTL     = time.Hour
	maxNameKeep = 1000
)

type nameCache struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]cachedName
}

type cachedName struct {
	name string
	at   time.Time
}

func (nc *nameCache) get(key string) (string, bool) {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	e, ok := nc.m[key]
	if !ok || nc.now().Sub(e.at) > nameTTL {
		return "", false
	}
	return e.name, true
}

func (nc *nameCache) put(key, name string) {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if nc.m == nil || len(nc.m) >= maxNameKeep {
		nc.m = map[string]cachedName{} // simple and bounded: start over when full
	}
	nc.m[key] = cachedName{name: name, at: nc.now()}
}

// UserName returns the name a customer may read for a Slack user (users.info): the first name
// from the profile, else the display name, else the real name. It is cached for an hour.
func (c *Client) UserName(ctx context.Context, id string) (string, error) {
	if n, ok := c.names.get("u:" + id); ok {
		return n, nil
	}
	var u *slack.User
	err := c.retry(ctx, func() error {
		var err error
		u, err = c.api.GetUserInfoContext(ctx, id)
		return err
	})
	if err != nil {
		return "", mapError("slackapi.UserName", err)
	}
	name := firstName(u.Profile.FirstName, u.Profile.DisplayName, u.Profile.RealName, u.RealName)
	if name == "" {
		return "", apperr.E("slackapi.UserName", apperr.NotFound, "the Slack user has no name")
	}
	c.names.put("u:"+id, name)
	return name, nil
}

// ChannelName returns a channel's name without "#" (conversations.info), cached for an hour.
func (c *Client) ChannelName(ctx context.Context, id string) (string, error) {
	if n, ok := c.names.get("c:" + id); ok {
		return n, nil
	}
	var ch *slack.Channel
	err := c.retry(ctx, func() error {
		var err error
		ch, err = c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: id})
		return err
	})
	if err != nil {
		return "", mapError("slackapi.ChannelName", err)
	}
	if ch.Name == "" {
		return "", apperr.E("slackapi.ChannelName", apperr.NotFound, "the Slack channel has no name")
	}
	c.names.put("c:"+id, ch.Name)
	return ch.Name, nil
}

func firstName(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
