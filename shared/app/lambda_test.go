package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"FRONTDESK_TABLE": "t", "FRONTDESK_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/1/q.fifo",
		"META_APP_SECRET": "s", "META_VERIFY_TOKEN": "v", "SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1",
		"SLACK_CHANNEL": "C1", "SLACK_TEAM_IDS": "T1,E1", "SLACK_APP_ID": "A1", "CONSENT_API_KEY": "k", "SUBJECT_PEPPER": "sixteen-bytes-pepper",
	}
	logger := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		name     string
		required []string
		build    Handler
		drop     string // a variable left out
		wantErr  string
	}{
		{"meta-webhook", []string{"FRONTDESK_QUEUE_URL"}, HTTP(MetaWebhook), "", ""},
		{"meta-webhook without its queue", []string{"FRONTDESK_QUEUE_URL"}, HTTP(MetaWebhook), "FRONTDESK_QUEUE_URL", "FRONTDESK_QUEUE_URL"},
		{"meta-webhook without its secret", []string{"FRONTDESK_QUEUE_URL"}, HTTP(MetaWebhook), "META_APP_SECRET", "META_APP_SECRET"},
		{"bot", []string{"FRONTDESK_TABLE"}, BotHandler, "", ""},
		{"bot without a Slack token", []string{"FRONTDESK_TABLE"}, BotHandler, "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"},
		{"consent", []string{"FRONTDESK_TABLE"}, HTTP(Consent), "", ""},
		{"slack", []string{"FRONTDESK_TABLE", "FRONTDESK_QUEUE_URL"}, HTTP(Slack), "", ""},
		{"slack without its workspaces", []string{"FRONTDESK_TABLE", "FRONTDESK_QUEUE_URL"}, HTTP(Slack), "SLACK_TEAM_IDS", "SLACK_TEAM_IDS"},
		{"slack without its app", []string{"FRONTDESK_TABLE", "FRONTDESK_QUEUE_URL"}, HTTP(Slack), "SLACK_APP_ID", "SLACK_APP_ID"},
		{"sweeper", []string{"FRONTDESK_TABLE"}, SweeperHandler, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == tt.drop {
					return ""
				}
				return full[k]
			}
			h, err := setup(context.Background(), getenv, logger, tt.required, tt.build)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || h == nil {
				t.Fatalf("setup = %v, %v; want a handler", h, err)
			}
		})
	}
}
