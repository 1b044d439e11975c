// Package config reads frontdesk's configuration: plain settings from the environment and
// secrets from AWS Systems Manager Parameter Store (SecureString parameters under SECRETS_PREFIX),
// or from the environment for local runs.
//
// Secrets are of type Secret, which never prints or logs its value.
package config

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Secret is a credential. Its String and LogValue hide it; Reveal returns it.
type Secret string

// Reveal returns the secret's value, for the one place that must use it.
func (s Secret) Reveal() string { return string(s) }

// String hides the value from fmt.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString hides the value from %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Set reports whether the secret has a value.
func (s Secret) Set() bool { return s != "" }

// DefaultBotFreshness is BOT_FRESHNESS when unset.
const DefaultBotFreshness = 4 * time.Hour

// Config is frontdesk's configuration. Field tags name the environment variable and, for
// secrets, the parameter name under SECRETS_PREFIX.
type Config struct {
	Table    string // FRONTDESK_TABLE
	QueueURL string // FRONTDESK_QUEUE_URL

	GraphBaseURL string // GRAPH_API_BASE_URL
	GraphVersion string // GRAPH_API_VERSION
	SlackAPIURL  string // SLACK_API_URL
	SlackChannel string // SLACK_CHANNEL
	// SLACK_TEAM_IDS: the workspaces (team ids, or an Enterprise Grid org id), comma-separated,
	// whose Slack requests are obeyed; SLACK_APP_ID: our Slack app's id.
	SlackTeamIDs []string
	SlackAppID   string
	WhatsAppTmpl string // WHATSAPP_TEMPLATE: the approved template sent when the 24-hour window is closed
	WhatsAppLang string // WHATSAPP_TEMPLATE_LANGUAGE
	FAQPath      string // FAQ_KB
	Retention    time.Duration
	// BOT_FRESHNESS: how late a customer message may reach the bot and still get a bot answer
	// ("4h", "90m"; default 4 hours). An outage's backlog must not flood customers with stale
	// answers; a late message that needs a person still reaches the desk.
	BotFreshness  time.Duration
	ConsentRegime string // CONSENT_REGIME: opt-out | opt-in
	PublicBaseURL string // PUBLIC_BASE_URL: where the data-deletion status page is reached
	DefaultLocale string // DEFAULT_LOCALE
	// The business accounts this deployment serves (digits only): a Meta webhook for any other
	// is acknowledged and dropped. WhatsAppPhoneIDs (WHATSAPP_PHONE_NUMBER_IDS) holds
	// WhatsAppPhoneID too; PageIDs is PAGE_IDS; InstagramIDs (INSTAGRAM_ACCOUNT_IDS) are also
	// the comment accounts answered through the Instagram token.
	WhatsAppPhoneIDs []string
	PageIDs          []string
	InstagramIDs     []string
	ReannounceMins   int    // REANNOUNCE_MINUTES
	CAPIDatasets     string // CAPI_DATASETS: "<account>=<dataset>[/<business id>],..."

	// WHATSAPP_PHONE_NUMBER_ID: the business's WhatsApp number that sends follow-ups to
	// customers who started elsewhere; empty turns the cross-channel follow-up off.
	WhatsAppPhoneID string
	CountryCode     string // DEFAULT_COUNTRY_CODE: completes national numbers customers type ("49")

	AppSecret      Secret // META_APP_SECRET / meta-app-secret
	VerifyToken    Secret // META_VERIFY_TOKEN / meta-verify-token
	WhatsAppToken  Secret // WHATSAPP_TOKEN / whatsapp-token
	PageToken      Secret // PAGE_TOKEN / page-token
	InstagramToken Secret // INSTAGRAM_TOKEN / instagram-token
	SlackBotToken  Secret // SLACK_BOT_TOKEN / slack-bot-token
	SlackSigning   Secret // SLACK_SIGNING_SECRET / slack-signing-secret
	ConsentAPIKey  Secret // CONSENT_API_KEY / consent-api-key
	SubjectPepper  Secret // SUBJECT_PEPPER / subject-pepper
}

// secretVars maps each secret's environment variable to its parameter name.
var secretVars = []struct {
	env, param string
	field      func(*Config) *Secret
}{
	{"META_APP_SECRET", "meta-app-secret", func(c *Config) *Secret { return &c.AppSecret }},
	{"META_VERIFY_TOKEN", "meta-verify-token", func(c *Config) *Secret { return &c.VerifyToken }},
	{"WHATSAPP_TOKEN", "whatsapp-token", func(c *Config) *Secret { return &c.WhatsAppToken }},
	{"PAGE_TOKEN", "page-token", func(c *Config) *Secret { return &c.PageToken }},
	{"INSTAGRAM_TOKEN", "instagram-token", func(c *Config) *Secret { return &c.InstagramToken }},
	{"SLACK_BOT_TOKEN", "slack-bot-token", func(c *Config) *Secret { return &c.SlackBotToken }},
	{"SLACK_SIGNING_SECRET", "slack-signing-secret", func(c *Config) *Secret { return &c.SlackSigning }},
	{"CONSENT_API_KEY", "consent-api-key", func(c *Config) *Secret { return &c.ConsentAPIKey }},
	{"SUBJECT_PEPPER", "subject-pepper", func(c *Config) *Secret { return &c.SubjectPepper }},
}

// SecretEnvVars lists the environment variables that hold secrets.
func SecretEnvVars() []string {
	out := make([]string, len(secretVars))
	for i, v := range secretVars {
		out[i] = v.env
	}
	return out
}

// SSMAPI is the part of the SSM client config uses.
type SSMAPI interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// ParamName returns the name of a secret's SSM parameter below the prefix
// (META_APP_SECRET -> meta-app-secret), or "" if env names no secret.
func ParamName(env string) string {
	for _, v := range secretVars {
		if v.env == env {
			return v.param
		}
	}
	return ""
}

// FromEnv reads the configuration from getenv alone (no secrets from SSM).
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Table:        getenv("FRONTDESK_TABLE"),
		QueueURL:     getenv("FRONTDESK_QUEUE_URL"),
		GraphBaseURL: cmp.Or(getenv("GRAPH_API_BASE_URL"), "https://graph.facebook.com"),
		GraphVersion: cmp.Or(getenv("GRAPH_API_VERSION"), "v25.0"),
		SlackAPIURL:  cmp.Or(getenv("SLACK_API_URL"), "https://slack.com/api/"),
		SlackChannel: getenv("SLACK_CHANNEL"),
		WhatsAppTmpl: getenv("WHATSAPP_TEMPLATE"),
		WhatsAppLang: cmp.Or(getenv("WHATSAPP_TEMPLATE_LANGUAGE"), "en_US"),
		FAQPath:      getenv("FAQ_KB"),
		// Privacy by default: nothing goes to Meta's ad systems until the customer agreed.
		ConsentRegime: cmp.Or(getenv("CONSENT_REGIME"), "opt-in"),
		PublicBaseURL: strings.TrimRight(getenv("PUBLIC_BASE_URL"), "/"),
		DefaultLocale: cmp.Or(getenv("DEFAULT_LOCALE"), "de"),
		CAPIDatasets:  getenv("CAPI_DATASETS"),
	}
	c.SlackTeamIDs = list(getenv("SLACK_TEAM_IDS"))
	c.SlackAppID = strings.TrimSpace(getenv("SLACK_APP_ID"))
	c.WhatsAppPhoneID = strings.TrimSpace(getenv("WHATSAPP_PHONE_NUMBER_ID"))
	if c.WhatsAppPhoneID != "" && !channel.IsID(c.WhatsAppPhoneID) {
		return Config{}, fmt.Errorf("WHATSAPP_PHONE_NUMBER_ID = %q: want the number's id, digits only", c.WhatsAppPhoneID)
	}
	c.CountryCode = strings.TrimPrefix(strings.TrimSpace(getenv("DEFAULT_COUNTRY_CODE")), "+")
	var err error
	for _, l := range []struct {
		name string
		dst  *[]string
	}{{"WHATSAPP_PHONE_NUMBER_IDS", &c.WhatsAppPhoneIDs}, {"PAGE_IDS", &c.PageIDs}, {"INSTAGRAM_ACCOUNT_IDS", &c.InstagramIDs}} {
		if *l.dst, err = idList(getenv, l.name); err != nil {
			return Config{}, err
		}
	}
	if c.WhatsAppPhoneID != "" && !slices.Contains(c.WhatsAppPhoneIDs, c.WhatsAppPhoneID) {
		c.WhatsAppPhoneIDs = append(c.WhatsAppPhoneIDs, c.WhatsAppPhoneID)
	}
	days, err := intVar(getenv, "RETENTION_DAYS", 30)
	if err != nil {
		return Config{}, err
	}
	if days < 1 {
		return Config{}, fmt.Errorf("RETENTION_DAYS = %d: want at least 1", days)
	}
	c.Retention = time.Duration(days) * 24 * time.Hour
	c.BotFreshness = DefaultBotFreshness
	if v := getenv("BOT_FRESHNESS"); v != "" {
		if c.BotFreshness, err = time.ParseDuration(v); err != nil || c.BotFreshness <= 0 {
			return Config{}, fmt.Errorf("BOT_FRESHNESS = %q: want a positive duration such as 4h or 90m", v)
		}
	}
	if c.ReannounceMins, err = intVar(getenv, "REANNOUNCE_MINUTES", 30); err != nil {
		return Config{}, err
	}
	if c.ConsentRegime != "opt-out" && c.ConsentRegime != "opt-in" {
		return Config{}, fmt.Errorf("CONSENT_REGIME = %q: want opt-out or opt-in", c.ConsentRegime)
	}
	for _, v := range secretVars {
		*v.field(&c) = Secret(getenv(v.env))
	}
	return c, nil
}

// Load reads the configuration of a function that uses the secrets named (their environment
// variables, "META_APP_SECRET", ...) and no others: every other secret is left empty, whatever
// the environment holds. When SECRETS_PREFIX is set, each named secret the environment leaves
// empty is read by name from its SecureString parameter <SECRETS_PREFIX><parameter name>, so a
// function's role needs only ssm:GetParameters on its own parameters. A parameter that does
// not exist leaves its secret empty (Require names it).
func Load(ctx context.Context, getenv func(string) string, client SSMAPI, secrets []string) (Config, error) {
	c, err := FromEnv(getenv)
	if err != nil {
		return Config{}, err
	}
	var want []int // indexes into secretVars of the secrets to read from SSM
	for i, v := range secretVars {
		if !slices.Contains(secrets, v.env) {
			*v.field(&c) = ""
		} else if !v.field(&c).Set() {
			want = append(want, i)
		}
	}
	for _, s := range secrets {
		if ParamName(s) == "" {
			return Config{}, fmt.Errorf("%s is not a secret", s)
		}
	}
	prefix := getenv("SECRETS_PREFIX")
	if prefix == "" || client == nil || len(want) == 0 {
		return c, nil
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	// GetParameters takes at most 10 names a call.
	for chunk := range slices.Chunk(want, 10) {
		byName := map[string]int{}
		var names []string
		for _, i := range chunk {
			name := prefix + secretVars[i].param
			byName[name] = i
			names = append(names, name)
		}
		out, err := client.GetParameters(ctx, &ssm.GetParametersInput{Names: names, WithDecryption: aws.Bool(true)})
		if err != nil {
			return Config{}, fmt.Errorf("read secrets %s: %w", strings.Join(names, ", "), err)
		}
		for _, p := range out.Parameters {
			if i, ok := byName[aws.ToString(p.Name)]; ok {
				*secretVars[i].field(&c) = Secret(aws.ToString(p.Value))
			}
		}
	}
	return c, nil
}

// Require returns an error naming the first missing variable among names ("META_APP_SECRET",
// "FRONTDESK_TABLE", ...): a function refuses to start half-configured.
func (c Config) Require(names ...string) error {
	vals := map[string]string{"FRONTDESK_TABLE": c.Table, "FRONTDESK_QUEUE_URL": c.QueueURL, "SLACK_CHANNEL": c.SlackChannel,
		"SLACK_TEAM_IDS": strings.Join(c.SlackTeamIDs, ","), "SLACK_APP_ID": c.SlackAppID}
	for _, v := range secretVars {
		vals[v.env] = v.field(&c).Reveal()
	}
	var missing []string
	for _, n := range names {
		if vals[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing configuration: %s (set the variable, or the SSM parameter under SECRETS_PREFIX)", strings.Join(missing, ", "))
	}
	return nil
}

// list splits a comma-separated setting, dropping blanks.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// idList reads a comma-separated list of account ids, each digits only.
func idList(getenv func(string) string, name string) ([]string, error) {
	var out []string
	for id := range strings.SplitSeq(getenv(name), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if !channel.IsID(id) {
			return nil, fmt.Errorf("%s: %q is not an account id (digits only)", name, id)
		}
		out = append(out, id)
	}
	return out, nil
}

func intVar(getenv func(string) string, name string, def int) (int, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s = %q: not a whole number", name, s)
	}
	return n, nil
}
