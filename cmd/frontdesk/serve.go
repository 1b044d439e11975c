package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/console"
	"github.com/frontdesk-app/frontdesk/shared/hostguard"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/memqueue"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/outbox"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/samtemplate"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slackagent"
)

// localSecrets are the fixed development secrets of the local stack; each is overridable by its
// environment variable.
var localSecrets = map[string]string{
	"META_APP_SECRET":      "local-app-secret",
	"META_VERIFY_TOKEN":    "local-verify-token",
	"SLACK_SIGNING_SECRET": "local-slack-secret",
	"CONSENT_API_KEY":      "local-consent-key",
	"SUBJECT_PEPPER":       "local-subject-pepper",
}

// localSettings are the local stack's defaults for the rest of the configuration. The tokens
// are placeholders: a call whose real token is not configured goes to the outbox.
var localSettings = map[string]string{
	"SLACK_CHANNEL": "C0LOCALDESK",
	// The local workspace and app: `frontdesk slack` and events/slack speak for them.
	"SLACK_TEAM_IDS":        slackagent.Local.Team,
	"SLACK_APP_ID":          slackagent.Local.App,
	"INSTAGRAM_ACCOUNT_IDS": localInstagramID,
	// The local accounts (README, "local accounts"): webhooks for any other are dropped. The
	// WhatsApp number is WHATSAPP_PHONE_NUMBER_ID below.
	"PAGE_IDS":          metatest.PageID,
	"WHATSAPP_TEMPLATE": "agent_reply_waiting",
	"PUBLIC_BASE_URL":   "http://127.0.0.1:3000",
	"WHATSAPP_TOKEN":    "local-whatsapp-token",
	"PAGE_TOKEN":        "local-page-token",
	"INSTAGRAM_TOKEN":   "local-instagram-token",
	"SLACK_BOT_TOKEN":   "xoxb-local-bot-token",
	// The local stack shares ad signals unless refused, so the Conversions API flow shows in
	// the outbox; deployments default to opt-in.
	"CONSENT_REGIME": "opt-out",
	"CAPI_DATASETS":  metatest.PhoneNumberID + "=900100200300/" + metatest.WABA + "," + metatest.PageID + "=900100200301," + metatest.InstagramID + "=900100200302",

	// The cross-channel follow-up (docs/followup.md): the local WhatsApp number sends it.
	"WHATSAPP_PHONE_NUMBER_ID": metatest.PhoneNumberID,
	"DEFAULT_COUNTRY_CODE":     "49",
}

// localEnv overlays the local defaults under the real environment.
func localEnv(getenv func(string) string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		if v, ok := localSecrets[k]; ok {
			return v
		}
		return localSettings[k]
	}
}

// realTokens reports, per outbox service, whether the environment configures a real credential:
// only then do that service's calls leave the machine.
func realTokens(getenv func(string) string) func(service string) bool {
	return func(service string) bool {
		switch service {
		case outbox.WhatsApp:
			return getenv("WHATSAPP_TOKEN") != ""
		case outbox.Messenger, outbox.CAPI:
			return getenv("PAGE_TOKEN") != ""
		case outbox.Instagram:
			return getenv("INSTAGRAM_TOKEN") != "" || getenv("PAGE_TOKEN") != ""
		case outbox.Slack:
			return getenv("SLACK_BOT_TOKEN") != ""
		}
		return false
	}
}

// runServe runs the local stack until ctx is done.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "listen address")
	tmpl := fs.String("template", "template.yaml", "the SAM template whose HTTP routes are mounted")
	allow := fs.String("allow-host", "", "more Host names the server answers to, comma-separated name:port (besides 127.0.0.1, localhost and [::1] with its port)")
	consoleReal := fs.Bool("console-with-real-credentials", false, "serve the console even though a real token is set (its messages then reach real customers and Slack)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	st, err := newStack(ctx, localEnv(getenv), realTokens(getenv), *tmpl, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer st.Close()
	consoleURL, err := st.mountConsole(ln.Addr(), consoleOff(getenv, *consoleReal), logger)
	if err != nil {
		ln.Close()
		return err
	}

	hosts := serveHosts(ln.Addr(), *allow)
	fmt.Fprintf(stdout, "frontdesk local stack on http://%s (embedded store and queue; outbound calls in GET /_local/outbox)\n", ln.Addr())
	fmt.Fprintf(stdout, "console: %s\n", consoleURL)
	fmt.Fprintf(stdout, "  answers requests for Host %s\n", strings.Join(hosts, ", "))
	for _, r := range st.routes {
		fmt.Fprintf(stdout, "  %-6s %-32s -> %s\n", r.Method, r.Path, r.Function)
	}
	fmt.Fprintln(stdout, "local development secrets (override with these variables):")
	keys := make([]string, 0, len(localSecrets))
	for k := range localSecrets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if getenv(k) != "" {
			// A secret given through the environment may be a real one: never printed.
			fmt.Fprintf(stdout, "  %-22s (from environment)\n", k)
			continue
		}
		fmt.Fprintf(stdout, "  %-22s %s (default)\n", k, localSecrets[k])
	}

	srv := newServer(hostguard.Middleware(hosts)(st.mux), serveLimits, logger)
	srv.RegisterOnShutdown(st.console.Close)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// limits bound the local server's connections and memory.
type limits struct {
	// header and read bound reading a request's header and whole request; idle a kept-alive
	// connection between requests. No write timeout: an answer may stream.
	header, read, idle time.Duration
	// outbox is how many outbound calls the outbox keeps, store how many conversations, seen
	// marks and send reservations each the embedded store keeps: the oldest go first.
	outbox, store int
	// journal is how many items the console keeps (messages, calls, decisions).
	journal int
}

// serveLimits are the local server's limits: a client that sends its request at 1 byte/s is
// cut off, and a stack left running for days does not grow without bound.
var serveLimits = limits{header: 5 * time.Second, read: 30 * time.Second, idle: 2 * time.Minute, outbox: 1000, store: 10000, journal: 3000}

// newServer is the local HTTP server for h with l's timeouts.
func newServer(h http.Handler, l limits, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.header,
		ReadTimeout:       l.read,
		IdleTimeout:       l.idle,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serveHosts is the Host allow-list of a server listening on addr: the loopback names with its
// port, the listen address itself when it names a host, and extra (comma-separated).
func serveHosts(addr net.Addr, extra string) []string {
	host, port, _ := net.SplitHostPort(addr.String())
	hosts := hostguard.Loopback(port)
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
		hosts = append(hosts, net.JoinHostPort(host, port))
	}
	for h := range strings.SplitSeq(extra, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// realCredentials are the variables whose presence sends calls to the real APIs.
var realCredentials = []string{"WHATSAPP_TOKEN", "PAGE_TOKEN", "INSTAGRAM_TOKEN", "SLACK_BOT_TOKEN"}

// consoleOff says why the console must stay off, or "": with a real token set, a message typed
// in the console would reach a real customer or a real Slack channel, so that takes a flag.
func consoleOff(getenv func(string) string, allowReal bool) string {
	if allowReal {
		return ""
	}
	var set []string
	for _, k := range realCredentials {
		if getenv(k) != "" {
			set = append(set, k)
		}
	}
	if len(set) == 0 {
		return ""
	}
	return strings.Join(set, ", ") + " is set, so what the console sends would reach real customers or Slack; " +
		"unset it, or start with --console-with-real-credentials"
}

// stack is the local backend: every function's handler, the queue driving the bot, the outbox,
// the settable clock they all read and the console's journal.
type stack struct {
	mux     *http.ServeMux
	routes  []samtemplate.Route
	store   *memstore.Store
	queue   *memqueue.Queue
	outbox  *outbox.Outbox
	clock   *console.Clock
	journal *console.Journal
	deps    app.Deps
	console *console.Console
}

// newStack builds the local backend and mounts each route of the template on its function's
// handler. A route whose function has no handler is an error: template and server cannot drift.
func newStack(ctx context.Context, getenv func(string) string, pass func(string) bool, tmpl string, logger *slog.Logger) (*stack, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	routes, err := samtemplate.ReadRoutes(tmpl)
	if err != nil {
		return nil, err
	}
	st := &stack{routes: routes, store: memstore.New(), outbox: outbox.New(), clock: console.NewClock()}
	st.journal = console.NewJournal(st.clock.Now)
	st.journal.Max = serveLimits.journal
	st.store.Now = st.clock.Now
	st.outbox.Now = st.clock.Now
	st.outbox.OnRecord = st.journal.Recorded
	st.store.Limit = serveLimits.store
	st.outbox.Max = serveLimits.outbox
	st.outbox.InstagramAccounts = cfg.InstagramIDs
	st.outbox.Real = http.DefaultTransport
	st.outbox.Pass = pass

	// The bot consumes the queue and the ingress handlers send to it: the queue is created
	// with the bot, and the handlers reach it through a forwarding Sender.
	var q *memqueue.Queue
	deps := app.Deps{
		Config:        cfg,
		Conversations: st.store,
		Dedup:         st.store,
		Consent:       st.store,
		Learn:         st.store,
		Queue:         queue.SenderFunc(func(ctx context.Context, m queue.Message) error { return q.Send(ctx, m) }),
		HTTP:          &http.Client{Transport: st.outbox, Timeout: 20 * time.Second},
		Metrics:       metrics.Discard{},
		Logger:        logger,
		Now:           st.clock.Now,
		Observer:      st.journal,
	}
	st.deps = deps
	stk, err := app.NewStack(deps)
	if err != nil {
		return nil, err
	}
	q = memqueue.New(stk.Bot.HandleSQS, memqueue.WithLogger(logger), memqueue.WithClock(st.clock.Now))
	st.queue = q
	if st.mux, err = stk.Mux(routes); err != nil {
		return nil, fmt.Errorf("%s: %w", tmpl, err)
	}
	st.mux.Handle("/_local/outbox", st.outbox.Handler())
	// The local stand-ins for Meta's and Slack's file storage (frontdesk say --media,
	// frontdesk slack reply --file).
	st.mux.Handle("/_local/media", st.outbox.Handler())
	st.mux.Handle("/_local/slack-files", st.outbox.Handler())
	st.mux.Handle("GET /_local/kb-suggestions", learn.Handler(st.store))
	return st, nil
}

// mountConsole mounts the console at /_local/console for the listener at addr and returns its
// URL, or what a person should read when it is off (off says why; a listener off loopback also
// turns it off).
func (s *stack) mountConsole(addr net.Addr, off string, logger *slog.Logger) (string, error) {
	hosts, err := console.LoopbackHosts(addr)
	if err != nil && off == "" {
		off = "the stack listens on " + addr.String() + ", not on loopback"
	}
	cfg := console.Config{Disabled: off, Logger: logger}
	if off == "" {
		ledger, err := app.Ledger(s.deps)
		if err != nil {
			return "", err
		}
		sw, err := app.Sweeper(s.deps)
		if err != nil {
			return "", err
		}
		cfg = console.Config{
			Stack:              s.mux,
			MetaAppSecret:      []byte(s.deps.Config.AppSecret.Reveal()),
			SlackSigningSecret: []byte(s.deps.Config.SlackSigning.Reveal()),
			Clock:              s.clock,
			Journal:            s.journal,
			Consent:            consentView(ledger),
			Thread: func(ctx context.Context, ch, ts string) (channel.Key, bool) {
				conv, err := s.store.ConversationByThread(ctx, ch, ts)
				if err != nil {
					return channel.Key{}, false
				}
				return conv.Key, true
			},
			Sweep: func(ctx context.Context) (string, error) {
				r, err := sw.Run(ctx)
				return fmt.Sprintf("%d re-announced, %d window warnings, %d closed", r.Reannounced, r.Warned, r.Closed), err
			},
			Hosts:  hosts,
			Logger: logger,
		}
	}
	if s.console, err = console.New(cfg); err != nil {
		return "", err
	}
	s.mux.Handle(console.Path, s.console)
	s.mux.Handle(console.Path+"/", s.console)
	if off != "" {
		return "off: " + off, nil
	}
	return "http://" + hosts[0] + console.Path, nil
}

// consentView reads a customer's consent and its history for the console.
func consentView(l *consent.Ledger) func(context.Context, channel.Key) (console.ConsentView, error) {
	return func(ctx context.Context, key channel.Key) (console.ConsentView, error) {
		subject := l.Subjects.Key(key)
		state, rec, explicit, err := l.Current(ctx, subject)
		if err != nil {
			return console.ConsentView{}, err
		}
		v := console.ConsentView{State: string(state), Explicit: explicit, History: []console.ConsentChange{}}
		if rec != nil {
			v.Source, v.At = rec.Source, rec.At
		}
		hist, err := l.Store.ConsentHistory(ctx, subject)
		if err != nil {
			return console.ConsentView{}, err
		}
		for _, h := range hist {
			v.History = append(v.History, console.ConsentChange{State: string(h.State), Source: h.Source, Actor: h.Actor, Surface: string(h.Surface), At: h.At})
		}
		return v, nil
	}
}

// Close stops the queue and the console's event streams.
func (s *stack) Close() {
	if s.console != nil {
		s.console.Close()
	}
	_ = s.queue.Close()
}
