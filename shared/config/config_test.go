package config

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

type fakeSSM struct {
	params map[string]string
	asked  [][]string // the names of each call
}

func (f *fakeSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	f.asked = append(f.asked, in.Names)
	if !aws.ToBool(in.WithDecryption) {
		return nil, fmt.Errorf("WithDecryption not set")
	}
	if len(in.Names) > 10 {
		return nil, fmt.Errorf("%d names: at most 10", len(in.Names))
	}
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		if v, ok := f.params[n]; ok {
			out.Parameters = append(out.Parameters, ssmtypes.Parameter{Name: aws.String(n), Value: aws.String(v)})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	return out, nil
}

func TestFromEnvDefaults(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.GraphVersion != "v25.0" || c.GraphBaseURL != "https://graph.facebook.com" || c.Retention != 30*24*time.Hour || c.ConsentRegime != "opt-in" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestFromEnvErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, key, val, want string }{
		{"retention not a number", "RETENTION_DAYS", "thirty", "RETENTION_DAYS"},
		{"retention zero", "RETENTION_DAYS", "0", "at least 1"},
		{"bad regime", "CONSENT_REGIME", "maybe", "CONSENT_REGIME"},
		{"page id with a path", "PAGE_IDS", "112233,../112233", "PAGE_IDS"},
		{"phone number id not digits", "WHATSAPP_PHONE_NUMBER_IDS", "106540352242922,+4917", "WHATSAPP_PHONE_NUMBER_IDS"},
		{"instagram id not digits", "INSTAGRAM_ACCOUNT_IDS", "abc", "INSTAGRAM_ACCOUNT_IDS"},
		{"follow-up number not digits", "WHATSAPP_PHONE_NUMBER_ID", "1065/messages", "WHATSAPP_PHONE_NUMBER_ID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromEnv(env(map[string]string{tt.key: tt.val}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestLoadSecretsFromSSM(t *testing.T) {
	t.Parallel()
	f := &fakeSSM{params: map[string]string{
		"/frontdesk/prod/meta-app-secret": "s3cret",
		"/frontdesk/prod/slack-bot-token": "xoxb-1",
		"/frontdesk/prod/page-token":      "page",
		"/other/meta-app-secret":          "wrong",
	}}
	c, err := Load(context.Background(), env(map[string]string{
		"SECRETS_PREFIX": "/frontdesk/prod", "SLACK_BOT_TOKEN": "xoxb-env", "CONSENT_API_KEY": "from-env",
	}), f, []string{"META_APP_SECRET", "META_VERIFY_TOKEN", "SLACK_BOT_TOKEN"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AppSecret.Reveal(); got != "s3cret" {
		t.Errorf("AppSecret = %q, want from SSM", got)
	}
	if got := c.SlackBotToken.Reveal(); got != "xoxb-env" {
		t.Errorf("SlackBotToken = %q, want the environment's value to win", got)
	}
	// Only the function's own secrets: read by name, nothing else held.
	if want := [][]string{{"/frontdesk/prod/meta-app-secret", "/frontdesk/prod/meta-verify-token"}}; fmt.Sprint(f.asked) != fmt.Sprint(want) {
		t.Errorf("asked SSM for %q, want %q", f.asked, want)
	}
	if c.PageToken.Set() || c.ConsentAPIKey.Set() {
		t.Errorf("PageToken %v, ConsentAPIKey %v: want secrets the function does not use left empty", c.PageToken.Set(), c.ConsentAPIKey.Set())
	}
	if err := c.Require("META_APP_SECRET", "META_VERIFY_TOKEN"); err == nil || !strings.Contains(err.Error(), "META_VERIFY_TOKEN") {
		t.Errorf("Require err = %v, want it to name META_VERIFY_TOKEN", err)
	}
}

func TestLoadEverySecretInChunksOfTen(t *testing.T) {
	t.Parallel()
	f := &fakeSSM{params: map[string]string{}}
	if _, err := Load(context.Background(), env(map[string]string{"SECRETS_PREFIX": "/p/"}), f, SecretEnvVars()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, names := range f.asked {
		n += len(names)
	}
	if n != len(SecretEnvVars()) {
		t.Errorf("asked for %d names in %d calls, want %d", n, len(f.asked), len(SecretEnvVars()))
	}
	if _, err := Load(context.Background(), env(nil), f, []string{"FRONTDESK_TABLE"}); err == nil {
		t.Error("Load of a setting as a secret: want an error")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("xoxb-very-secret")
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "token", s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %#v %+v", s, s, s, struct{ T Secret }{s}), b.String()} {
		if strings.Contains(out, "very-secret") {
			t.Errorf("secret leaked: %s", out)
		}
	}
}

func TestFromEnvAccounts(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(map[string]string{"WHATSAPP_PHONE_NUMBER_IDS": " 106540352242922, 109876543210987,", "WHATSAPP_PHONE_NUMBER_ID": "106540352242923",
		"PAGE_IDS": "112233445566778", "INSTAGRAM_ACCOUNT_IDS": "17841400000000001"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"106540352242922", "109876543210987", "106540352242923"}; !slices.Equal(c.WhatsAppPhoneIDs, want) {
		t.Errorf("WhatsAppPhoneIDs = %q, want %q (the follow-up number is ours too)", c.WhatsAppPhoneIDs, want)
	}
	if !slices.Equal(c.PageIDs, []string{"112233445566778"}) || !slices.Equal(c.InstagramIDs, []string{"17841400000000001"}) {
		t.Errorf("PageIDs %q, InstagramIDs %q", c.PageIDs, c.InstagramIDs)
	}
}

func TestBotFreshness(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]time.Duration{"": DefaultBotFreshness, "90m": 90 * time.Minute, "26h": 26 * time.Hour} {
		c, err := FromEnv(func(k string) string {
			if k == "BOT_FRESHNESS" {
				return v
			}
			return ""
		})
		if err != nil || c.BotFreshness != want {
			t.Errorf("BOT_FRESHNESS=%q: %v, %v; want %v", v, c.BotFreshness, err, want)
		}
	}
	for _, v := range []string{"soon", "-1h", "0s"} {
		if _, err := FromEnv(func(k string) string {
			if k == "BOT_FRESHNESS" {
				return v
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), "BOT_FRESHNESS") {
			t.Errorf("BOT_FRESHNESS=%q: err %v, want one naming the variable", v, err)
		}
	}
}
