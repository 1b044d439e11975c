package samtemplate

import (
	"net/url"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestSlackManifestMatchesTemplate keeps docs/slack-app-manifest.yaml pointing at the routes
// the template gives SlackFunction: a renamed path would leave Slack posting into a 404.
func TestSlackManifestMatchesTemplate(t *testing.T) {
	t.Parallel()
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		Settings struct {
			EventSubscriptions struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				IsEnabled  bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(readFile(t, "../../docs/slack-app-manifest.yaml"), &m); err != nil {
		t.Fatalf("docs/slack-app-manifest.yaml: %v", err)
	}
	routes, err := Routes(readFile(t, repoTemplate))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/frontdesk" {
		t.Errorf("slash_commands = %+v, want the one command /frontdesk", m.Features.SlashCommands)
	}
	if !m.Settings.Interactivity.IsEnabled {
		t.Error("interactivity.is_enabled = false, want true")
	}
	for _, event := range []string{"message.channels", "message.groups"} {
		if !slices.Contains(m.Settings.EventSubscriptions.BotEvents, event) {
			t.Errorf("bot_events = %v, want %s", m.Settings.EventSubscriptions.BotEvents, event)
		}
	}
	urls := map[string]string{
		"event_subscriptions.request_url": m.Settings.EventSubscriptions.RequestURL,
		"interactivity.request_url":       m.Settings.Interactivity.RequestURL,
	}
	for _, c := range m.Features.SlashCommands {
		urls["slash command "+c.Command] = c.URL
	}
	for name, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host != "API_HOST" {
			t.Errorf("%s = %q, want https://API_HOST/<path>", name, raw)
			continue
		}
		if !slices.Contains(routes, Route{Function: "SlackFunction", CodeURI: "functions/slack/", Method: "POST", Path: u.Path}) {
			t.Errorf("%s = %q: template.yaml has no POST %s for SlackFunction", name, raw, u.Path)
		}
	}
}
