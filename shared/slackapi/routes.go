package slackapi

import (
	"fmt"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Routes picks the Slack channel of an escalation: by the conversation's language first, then
// by its surface, else Default. Its Channel method is what NewDesk takes.
type Routes struct {
	Default string
	Locale  map[string]string          // "de" -> channel id
	Surface map[channel.Surface]string // channel.WhatsApp -> channel id
}

// Channel returns the channel for a conversation with key k in locale.
func (r Routes) Channel(k channel.Key, locale string) string {
	if c, ok := r.Locale[strings.ToLower(locale)]; ok && c != "" {
		return c
	}
	if c, ok := r.Surface[k.Surface]; ok && c != "" {
		return c
	}
	return r.Default
}

// ParseRoutes reads routes from a SLACK_CHANNEL value: a default channel id, optionally followed
// by comma-separated "<locale or surface>=<channel id>" rules, e.g.
// "C0SUPPORT,de=C0GERMAN,instagram=C0SOCIAL". A plain "C0SUPPORT" sends everything there.
func ParseRoutes(s string) (Routes, error) {
	const op apperr.Op = "slackapi.ParseRoutes"
	r := Routes{Locale: map[string]string{}, Surface: map[channel.Surface]string{}}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, id, ok := strings.Cut(part, "=")
		if !ok {
			if r.Default != "" {
				return Routes{}, apperr.E(op, apperr.Invalid, "SLACK_CHANNEL: more than one default channel")
			}
			r.Default = part
			continue
		}
		name, id = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(id)
		if name == "" || id == "" {
			return Routes{}, apperr.E(op, apperr.Invalid, fmt.Sprintf("SLACK_CHANNEL: rule %q: want <locale or surface>=<channel id>", part))
		}
		if channel.Surface(name).Valid() {
			r.Surface[channel.Surface(name)] = id
		} else {
			r.Locale[name] = id
		}
	}
	if r.Default == "" {
		return Routes{}, apperr.E(op, apperr.Invalid, "SLACK_CHANNEL: no default channel")
	}
	return r, nil
}
