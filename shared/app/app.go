// Package app builds frontdesk's handlers from their dependencies. The Lambda entry points
// (functions/*) and the local server (cmd/frontdesk serve) both call it, so the code that runs
// locally is the code that runs in AWS; only the dependencies differ (DynamoDB and SQS there, the
// embedded store and queue and the outbox here).
package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/adsignals/capi"
	"github.com/frontdesk-app/frontdesk/shared/bot"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/observe"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/sweeper"
)

// Deps are the dependencies of every handler.
type Deps struct {
	Config        config.Config
	Conversations conversation.Store
	Dedup         dedup.Store
	Consent       consent.Store
	// Learn keeps knowledge-base suggestions and the weekly digest's counts; nil turns both off.
	Learn learn.Store
	Queue queue.Sender
	// HTTP carries every outbound call: Graph API, Slack Web API, Conversions API.
	HTTP    *http.Client
	Metrics metrics.Recorder
	Logger  *slog.Logger
	Now     func() time.Time
	// Observer receives the bot's decisions (the local console); nil in Lambda.
	Observer observe.Sink
}

func (d Deps) now() func() time.Time {
	if d.Now != nil {
		return d.Now
	}
	return time.Now
}

func (d Deps) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func (d Deps) metrics() metrics.Recorder {
	if d.Metrics != nil {
		return d.Metrics
	}
	return metrics.Discard{}
}

// MetaWebhook is the handler of GET and POST /webhooks/meta.
func MetaWebhook(d Deps) (http.Handler, error) {
	if err := d.Config.Require("META_APP_SECRET", "META_VERIFY_TOKEN"); err != nil {
		return nil, err
	}
	return meta.NewWebhook(meta.WebhookConfig{
		AppSecret:   []byte(d.Config.AppSecret.Reveal()),
		VerifyToken: d.Config.VerifyToken.Reveal(),
		Queue:       d.Queue,
		Metrics:     d.metrics(),
		Logger:      d.logger(),
		Now:         d.now(),
		Accounts: &meta.Accounts{
			WhatsApp:  d.Config.WhatsAppPhoneIDs,
			Pages:     d.Config.PageIDs,
			Instagram: d.Config.InstagramIDs,
		},
	}), nil
}

// graphTransport is the one transport of every Graph API call: the reply senders' and the
// Conversions API's.
func graphTransport(d Deps) *graph.Transport {
	return &graph.Transport{HTTP: d.HTTP, Now: d.now()}
}

// Graph is the Graph API client that sends replies.
func Graph(d Deps) (*graph.Client, error) {
	c, err := graph.New(graph.Config{
		BaseURL:           d.Config.GraphBaseURL,
		Version:           d.Config.GraphVersion,
		Transport:         graphTransport(d),
		InstagramAccounts: d.Config.InstagramIDs,
		Now:               d.now(),
		Tokens: graph.Tokens{
			WhatsApp:  d.Config.WhatsAppToken.Reveal(),
			Page:      d.Config.PageToken.Reveal(),
			Instagram: d.Config.InstagramToken.Reveal(),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("graph client: %w", err)
	}
	return c, nil
}

// Desk is the agents' desk in Slack.
func Desk(d Deps) (*slackapi.Desk, error) {
	c, err := SlackClient(d)
	if err != nil {
		return nil, err
	}
	return deskWith(d, c)
}

// SlackClient is the Slack Web API client with the bot token.
func SlackClient(d Deps) (*slackapi.Client, error) {
	if err := d.Config.Require("SLACK_BOT_TOKEN"); err != nil {
		return nil, err
	}
	c, err := slackClient(d)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func deskWith(d Deps, c *slackapi.Client) (*slackapi.Desk, error) {
	if err := d.Config.Require("SLACK_CHANNEL"); err != nil {
		return nil, err
	}
	routes, err := slackapi.ParseRoutes(d.Config.SlackChannel)
	if err != nil {
		return nil, err
	}
	return slackapi.NewDesk(c, routes.Channel), nil
}

// Ledger is the ad-data consent ledger.
func Ledger(d Deps) (*consent.Ledger, error) {
	if err := d.Config.Require("SUBJECT_PEPPER"); err != nil {
		return nil, err
	}
	subjects, err := consent.NewSubjects([]byte(d.Config.SubjectPepper.Reveal()))
	if err != nil {
		return nil, err
	}
	if d.Consent == nil {
		return nil, fmt.Errorf("consent ledger: no consent store")
	}
	l := &consent.Ledger{
		Store:         d.Consent,
		Subjects:      subjects,
		Regime:        consent.Regime(d.Config.ConsentRegime),
		Conversations: d.Conversations,
		DefaultLocale: d.Config.DefaultLocale,
		Now:           d.now(),
	}
	if d.Learn != nil {
		l.Suggestions = d.Learn
	}
	// An erasure reaches Slack wherever the bot token is configured (in AWS: the consent
	// function reads it from SSM like the bot does).
	if d.Config.SlackBotToken.Reveal() != "" {
		c, err := slackClient(d)
		if err != nil {
			return nil, err
		}
		l.Slack = &consent.SlackEraser{Store: d.Consent, Slack: slackapi.ErasureAPI{Client: c}, Logger: d.logger()}
	}
	return l, nil
}

func slackClient(d Deps) (*slackapi.Client, error) {
	c, err := slackapi.NewClient(slackapi.ClientConfig{Token: d.Config.SlackBotToken.Reveal(), APIURL: d.Config.SlackAPIURL, HTTP: d.HTTP})
	if err != nil {
		return nil, fmt.Errorf("slack client: %w", err)
	}
	return c, nil
}

// threads records the bot's Slack messages in the erasure index.
func threads(d Deps, l *consent.Ledger) *consent.SlackRecorder {
	return &consent.SlackRecorder{Store: d.Consent, Subjects: l.Subjects, Now: d.now()}
}

// Signals sends Conversions API events through the consent gate.
func Signals(d Deps, gate adsignals.Gate) (*adsignals.Signaler, error) {
	accounts, err := adsignals.ParseAccounts(d.Config.CAPIDatasets)
	if err != nil {
		return nil, fmt.Errorf("CAPI_DATASETS: %w", err)
	}
	ig := d.Config.InstagramToken.Reveal()
	if ig == "" {
		ig = d.Config.PageToken.Reveal()
	}
	return &adsignals.Signaler{
		Client: &capi.Client{
			BaseURL: d.Config.GraphBaseURL, Version: d.Config.GraphVersion, Transport: graphTransport(d),
			Tokens: map[channel.Surface]string{
				channel.WhatsApp:  d.Config.WhatsAppToken.Reveal(),
				channel.Messenger: d.Config.PageToken.Reveal(),
				channel.Instagram: ig,
			},
		},
		Gate:     gate,
		Accounts: accounts,
		Sends:    d.Dedup,
		Metrics:  d.metrics(),
		Logger:   d.logger(),
		Now:      d.now(),
	}, nil
}

// Brain loads the knowledge base (FAQ_KB, else the embedded sample shop) with its model trained
// ahead of time (frontdesk faq build), so a cold start loads a model instead of training one.
func Brain(d Deps) (*faq.Bot, error) {
	b, err := faq.Load(d.Config.FAQPath)
	if err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	return b, nil
}

// knowledgeBase is the knowledge base the bot runs on (FAQ_KB, else the sample), without its
// model: what the digest checks suggestions against.
func knowledgeBase(d Deps) (*faq.KB, error) {
	if d.Config.FAQPath == "" {
		return faq.SampleKB()
	}
	kb, err := faq.LoadKB(d.Config.FAQPath)
	if err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	return kb, nil
}

// kbAnswers serves an agent's "send this answer" from the knowledge base.
type kbAnswers struct{ kb *faq.KB }

func (a kbAnswers) Answer(entryID, locale string) (title, text string, ok bool) {
	e, ok := a.kb.Entry(entryID)
	if !ok {
		return "", "", false
	}
	text, _ = e.AnswerIn(locale)
	return e.TitleIn(locale), text, true
}

// Entries lists the entries for the "Add to FAQ" select, in the knowledge base's order.
func (a kbAnswers) Entries(locale string) []desk.Entry {
	out := make([]desk.Entry, 0, len(a.kb.Entries))
	for _, e := range a.kb.Entries {
		out = append(out, desk.Entry{ID: e.ID, Title: e.TitleIn(locale) + " (" + e.ID + ")"})
	}
	return out
}

// Bot is the queue consumer.
func Bot(d Deps) (*bot.Bot, error) {
	g, err := Graph(d)
	if err != nil {
		return nil, err
	}
	brain, err := Brain(d)
	if err != nil {
		return nil, err
	}
	sc, err := SlackClient(d)
	if err != nil {
		return nil, err
	}
	desk, err := deskWith(d, sc)
	if err != nil {
		return nil, err
	}
	ledger, err := Ledger(d)
	if err != nil {
		return nil, err
	}
	signals, err := Signals(d, ledger)
	if err != nil {
		return nil, err
	}
	return &bot.Bot{
		Conversations:    d.Conversations,
		Dedup:            d.Dedup,
		Sender:           g,
		Brain:            brain,
		Answers:          kbAnswers{brain.KB()},
		Desk:             desk,
		Directory:        sc,
		AgentFiles:       sc,
		CustomerMedia:    g,
		Consent:          ledger,
		Signals:          signals,
		Threads:          threads(d, ledger),
		Learn:            d.Learn,
		Offers:           desk,
		Catalog:          kbAnswers{brain.KB()},
		Subject:          ledger.Subjects.Key,
		Eraser:           ledger,
		Mask:             slackapi.Mask,
		Retention:        d.Config.Retention,
		Freshness:        d.Config.BotFreshness,
		DefaultLocale:    d.Config.DefaultLocale,
		Template:         d.Config.WhatsAppTmpl,
		TemplateLanguage: d.Config.WhatsAppLang,
		FollowUp:         followUp(d, ledger),
		Observer:         d.Observer,
		Metrics:          d.metrics(),
		Logger:           d.logger(),
		Now:              d.now(),
	}, nil
}

// Consent is the handler of the consent function's routes.
func Consent(d Deps) (http.Handler, error) {
	if err := d.Config.Require("CONSENT_API_KEY", "META_APP_SECRET"); err != nil {
		return nil, err
	}
	ledger, err := Ledger(d)
	if err != nil {
		return nil, err
	}
	return consent.NewHandler(consent.HandlerConfig{
		APIKey:        d.Config.ConsentAPIKey.Reveal(),
		AppSecret:     []byte(d.Config.AppSecret.Reveal()),
		Ledger:        ledger,
		StatusBaseURL: d.Config.PublicBaseURL,
		Now:           d.now(),
		Logger:        d.logger(),
	})
}

// Slack is the handler of the Slack function's routes: Events API, interactivity, slash command.
func Slack(d Deps) (http.Handler, error) {
	if err := d.Config.Require("SLACK_SIGNING_SECRET", "SLACK_TEAM_IDS", "SLACK_APP_ID"); err != nil {
		return nil, err
	}
	return slackapi.NewHandler(slackapi.HandlerConfig{
		SigningSecret: []byte(d.Config.SlackSigning.Reveal()),
		TeamIDs:       d.Config.SlackTeamIDs,
		AppID:         d.Config.SlackAppID,
		Conversations: d.Conversations,
		Dedup:         d.Dedup,
		Queue:         d.Queue,
		Metrics:       d.metrics(),
		Now:           d.now(),
		Logger:        d.logger(),
	}), nil
}

// Sweeper re-announces unclaimed escalations, warns before windows close and closes idle
// conversations.
func Sweeper(d Deps) (*sweeper.Sweeper, error) {
	desk, err := Desk(d)
	if err != nil {
		return nil, err
	}
	sw := &sweeper.Sweeper{
		Conversations:   d.Conversations,
		Desk:            desk,
		Now:             d.now(),
		ReannounceAfter: time.Duration(d.Config.ReannounceMins) * time.Minute,
		WarnBefore:      time.Hour,
		CloseIdleAfter:  72 * time.Hour,
	}
	if d.Consent != nil && d.Config.SubjectPepper.Reveal() != "" {
		ledger, err := Ledger(d)
		if err != nil {
			return nil, err
		}
		sw.Threads = threads(d, ledger)
	}
	if d.Learn != nil && d.Dedup != nil {
		routes, err := slackapi.ParseRoutes(d.Config.SlackChannel)
		if err != nil {
			return nil, err
		}
		kb, err := knowledgeBase(d)
		if err != nil {
			return nil, err
		}
		sw.Digest = &sweeper.Digest{Learn: d.Learn, Sends: d.Dedup, Desk: desk, Channel: routes.Default,
			KB: kb, Metrics: d.metrics(), Now: d.now()}
	}
	return sw, nil
}
