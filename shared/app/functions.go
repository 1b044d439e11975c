package app

import (
	"fmt"
	"net/http"
)

// Function is one Lambda function of frontdesk: what it is called, where its code and events
// live, what it cannot run without and the secrets it reads. The mains in functions/, the local
// stack, the start-up checks and the tests of template.yaml (its environment, and its IAM
// policies through a policy evaluator) all read Functions. Its handler is not in the list: a
// list holding every handler would link every function's code (and the FAQ's embedded model)
// into every bootstrap, so each main passes its own to Main, and the local stack builds the
// HTTP ones with HTTPFor.
type Function struct {
	// Name is the function's folder: functions/<Name>/ (its CodeUri) and events/<Name>/.
	Name string
	// Resource is the function's logical id in template.yaml.
	Resource string
	// Settings are the environment variables the function refuses to start without.
	Settings []string
	// Secrets are the secrets the function reads (their environment variables); in AWS each is
	// the SSM parameter <SECRETS_PREFIX><config.ParamName>, granted to this function by name
	// and read at its cold start. No other secret reaches it.
	Secrets []string
}

// Functions are every function of frontdesk, in the order of template.yaml.
var Functions = []Function{
	{
		Name: "meta-webhook", Resource: "MetaWebhookFunction",
		Settings: []string{"FRONTDESK_QUEUE_URL"},
		Secrets:  []string{"META_APP_SECRET", "META_VERIFY_TOKEN"},
	},
	{
		Name: "slack", Resource: "SlackFunction",
		Settings: []string{"FRONTDESK_TABLE", "FRONTDESK_QUEUE_URL"},
		Secrets:  []string{"SLACK_SIGNING_SECRET"},
	},
	{
		Name: "consent", Resource: "ConsentFunction",
		Settings: []string{"FRONTDESK_TABLE"},
		// The Slack token: an erasure deletes the bot's messages about the customer.
		Secrets: []string{"CONSENT_API_KEY", "META_APP_SECRET", "SUBJECT_PEPPER", "SLACK_BOT_TOKEN"},
	},
	{
		Name: "bot", Resource: "BotFunction",
		Settings: []string{"FRONTDESK_TABLE", "SLACK_CHANNEL"},
		// The channel tokens are each optional (a shop may not use every channel).
		Secrets: []string{"WHATSAPP_TOKEN", "PAGE_TOKEN", "INSTAGRAM_TOKEN", "SLACK_BOT_TOKEN", "SUBJECT_PEPPER"},
	},
	{
		Name: "sweeper", Resource: "SweeperFunction",
		Settings: []string{"FRONTDESK_TABLE", "SLACK_CHANNEL"},
		// The pepper: its posts go into the customer's erasure index, keyed by subject id.
		Secrets: []string{"SLACK_BOT_TOKEN", "SUBJECT_PEPPER"},
	},
}

// HTTPFor returns the builder of the HTTP handler of the function named name, behind API
// Gateway; nil for a function that is not.
func HTTPFor(name string) func(Deps) (http.Handler, error) {
	switch name {
	case "meta-webhook":
		return MetaWebhook
	case "slack":
		return Slack
	case "consent":
		return Consent
	}
	return nil
}

// Lookup returns the function named name.
func Lookup(name string) (Function, error) {
	for _, f := range Functions {
		if f.Name == name {
			return f, nil
		}
	}
	return Function{}, fmt.Errorf("no function %q", name)
}

// CodeURI is the function's CodeUri in template.yaml.
func (f Function) CodeURI() string { return "functions/" + f.Name + "/" }
