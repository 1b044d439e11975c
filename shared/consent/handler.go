package consent

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/ingress"
)

// MaxBodyBytes bounds the body of POST /consent and POST /meta/data-deletion.
const MaxBodyBytes = 16 << 10

// APIKeyHeader carries the privacy page's API key.
const APIKeyHeader = "X-Api-Key"

// HandlerConfig configures NewHandler.
type HandlerConfig struct {
	// APIKey authenticates the privacy page (CONSENT_API_KEY).
	APIKey string
	// AppSecret verifies Meta's signed_request (META_APP_SECRET).
	AppSecret []byte
	Ledger    *Ledger
	// StatusBaseURL is the public base URL of this API; the data deletion answer points to
	// <StatusBaseURL>/meta/data-deletion/<code>. Empty means the URL the request came in on
	// (its Host, and X-Forwarded-Proto as API Gateway sets it), so a stack needs no second
	// deploy to learn its own URL.
	StatusBaseURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger logs decisions (subject ids only) and internal errors; nil discards.
	Logger *slog.Logger
}

type handler struct {
	cfg    HandlerConfig
	keySum [sha256.Size]byte
	base   string
	log    *slog.Logger
}

// NewHandler returns the consent function's HTTP API:
//
//	POST /consent                    record a decision (X-Api-Key; JSON {"subject","state","actor"})
//	GET  /consent/{subject}          the current state and its history (X-Api-Key)
//	DELETE /consent/{subject}        erase everything held about the subject, Slack included (X-Api-Key)
//	POST /meta/data-deletion         Meta's data deletion callback (form field signed_request)
//	GET  /meta/data-deletion/{code}  the status of a deletion request (JSON, or HTML for browsers)
//
// Errors are JSON {"error","kind"} with 400 (malformed), 401 (key or signature), 404, 413 (body
// over MaxBodyBytes), 415 (content type), 503 (store unavailable).
func NewHandler(cfg HandlerConfig) (http.Handler, error) {
	const op = "consent.NewHandler"
	switch {
	case cfg.APIKey == "":
		return nil, apperr.E(op, apperr.Invalid, "consent API key is not configured")
	case len(cfg.AppSecret) == 0:
		return nil, apperr.E(op, apperr.Invalid, "Meta app secret is not configured")
	case cfg.Ledger == nil || cfg.Ledger.Store == nil:
		return nil, apperr.E(op, apperr.Invalid, "ledger is not configured")
	case len(cfg.Ledger.Subjects.Pepper) < MinPepperLen:
		return nil, apperr.E(op, apperr.Invalid, "subject pepper must be at least 16 bytes")
	}
	if cfg.StatusBaseURL != "" {
		u, err := url.Parse(cfg.StatusBaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, apperr.E(op, apperr.Invalid, "status base URL must be an absolute http(s) URL")
		}
	}
	h := &handler{cfg: cfg, keySum: sha256.Sum256([]byte(cfg.APIKey)),
		base: strings.TrimRight(cfg.StatusBaseURL, "/"), log: cfg.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /consent", h.postConsent)
	mux.HandleFunc("GET /consent/{subject}", h.getConsent)
	mux.HandleFunc("DELETE /consent/{subject}", h.deleteSubject)
	mux.HandleFunc("POST /meta/data-deletion", h.postDeletion)
	mux.HandleFunc("GET /meta/data-deletion/{code}", h.getDeletion)
	return ingress.Guard(h.log, noStore(mux)), nil
}

func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) now() time.Time {
	if h.cfg.Now != nil {
		return h.cfg.Now()
	}
	return time.Now()
}

// fail answers err and logs it, once.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	ingress.Fail(w, r, h.log, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *handler) authorize(r *http.Request) error {
	key := r.Header.Get(APIKeyHeader)
	if key == "" {
		return apperr.E("consent.authorize", apperr.Unauthorized, "missing X-Api-Key header")
	}
	sum := sha256.Sum256([]byte(key))
	if subtle.ConstantTimeCompare(sum[:], h.keySum[:]) != 1 {
		return apperr.E("consent.authorize", apperr.Unauthorized, "wrong API key")
	}
	return nil
}

// readBody checks the media type and reads at most MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request, mediaType string) ([]byte, error) {
	return ingress.Body(w, r, MaxBodyBytes, mediaType)
}

// consentRequest is the body of POST /consent.
type consentRequest struct {
	Subject string `json:"subject"`
	State   State  `json:"state"`
	Actor   string `json:"actor"`
}

// consentView is the answer of both /consent routes. It names the subject only by its id.
type consentView struct {
	Subject string `json:"subject"`
	State   State  `json:"state"`
	// Explicit is false when the subject never decided and the regime's default applies.
	Explicit bool       `json:"explicit"`
	Regime   Regime     `json:"regime"`
	Source   string     `json:"source,omitempty"`
	Actor    string     `json:"actor,omitempty"`
	At       *time.Time `json:"at,omitempty"`
	History  []change   `json:"history"`
}

type change struct {
	State   State     `json:"state"`
	Source  string    `json:"source"`
	Actor   string    `json:"actor,omitempty"`
	Surface string    `json:"surface,omitempty"`
	At      time.Time `json:"at"`
}

const maxActor = 128

// parseActor reads who made a decision through the API: raw trimmed, "api" when empty, at most
// maxActor printable characters. field names where raw came from in the error.
func parseActor(op apperr.Op, field, raw string) (string, error) {
	actor := strings.TrimSpace(raw)
	if actor == "" {
		actor = SourceAPI
	}
	if len(actor) > maxActor || strings.ContainsFunc(actor, unicode.IsControl) {
		return "", apperr.E(op, apperr.Invalid, field+" must be at most 128 printable characters")
	}
	return actor, nil
}

// subjectOf authorizes r and parses the subject in its path.
func (h *handler) subjectOf(r *http.Request) (SubjectRef, error) {
	if err := h.authorize(r); err != nil {
		return SubjectRef{}, err
	}
	return ParseSubject(r.PathValue("subject"))
}

func (h *handler) postConsent(w http.ResponseWriter, r *http.Request) {
	const op = "consent.postConsent"
	if err := h.authorize(r); err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := readBody(w, r, "application/json")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var req consentRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		h.fail(w, r, apperr.Wrap(op, apperr.Invalid, err, "body must be a JSON object with subject, state and actor: "+jsonProblem(err)))
		return
	}
	if dec.More() {
		h.fail(w, r, apperr.E(op, apperr.Invalid, "body must hold exactly one JSON object"))
		return
	}
	ref, err := ParseSubject(req.Subject)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !req.State.Valid() {
		h.fail(w, r, apperr.E(op, apperr.Invalid, `state must be "granted" or "denied"`))
		return
	}
	actor, err := parseActor(op, "actor", req.Actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	subject := h.cfg.Ledger.Subjects.Resolve(ref)
	_, changed, err := h.cfg.Ledger.Decide(r.Context(), Decision{Subject: subject, State: req.State,
		Source: SourceAPI, Actor: actor, Surface: ref.Surface, At: h.now()})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "consent decided", "subject", subject, "state", req.State,
		"source", SourceAPI, "changed", changed)
	h.writeView(w, r, subject)
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "malformed JSON"
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	return "malformed JSON"
}

func (h *handler) getConsent(w http.ResponseWriter, r *http.Request) {
	ref, err := h.subjectOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeView(w, r, h.cfg.Ledger.Subjects.Resolve(ref))
}

// erasure is the answer of DELETE /consent/{subject}.
type erasure struct {
	Subject string `json:"subject"`
	Erased  bool   `json:"erased"`
}

// deleteSubject erases a subject at the business's request (a customer asked the shop to delete
// their data): its conversations, consent records, suggestions and the bot's messages about it
// in Slack; a denial is recorded so the subject does not fall back to sharing. Repeating it is
// harmless. The actor is the X-Actor header, else "api".
func (h *handler) deleteSubject(w http.ResponseWriter, r *http.Request) {
	const op = "consent.deleteSubject"
	ref, err := h.subjectOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	actor, err := parseActor(op, "X-Actor", r.Header.Get("X-Actor"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	subject := h.cfg.Ledger.Subjects.Resolve(ref)
	if err := h.cfg.Ledger.EraseAs(r.Context(), SourceAPI, actor, subject); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "subject erased", "subject", subject, "source", SourceAPI)
	writeJSON(w, http.StatusOK, erasure{Subject: subject, Erased: true})
}

func (h *handler) writeView(w http.ResponseWriter, r *http.Request, subject string) {
	l := h.cfg.Ledger
	state, rec, explicit, err := l.Current(r.Context(), subject)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hist, err := l.History(r.Context(), subject)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := consentView{Subject: subject, State: state, Explicit: explicit, Regime: l.regime(), History: []change{}}
	if rec != nil {
		at := rec.At
		v.Source, v.Actor, v.At = rec.Source, rec.Actor, &at
	}
	for _, c := range hist {
		v.History = append(v.History, change{State: c.State, Source: c.Source, Actor: c.Actor, Surface: string(c.Surface), At: c.At})
	}
	writeJSON(w, http.StatusOK, v)
}

// deletionAnswer is what Meta expects from the callback.
type deletionAnswer struct {
	URL              string `json:"url"`
	ConfirmationCode string `json:"confirmation_code"`
}

func (h *handler) postDeletion(w http.ResponseWriter, r *http.Request) {
	const op = "consent.postDeletion"
	body, err := readBody(w, r, "application/x-www-form-urlencoded")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		h.fail(w, r, apperr.Wrap(op, apperr.Invalid, err, "body is not a valid form"))
		return
	}
	sr, err := ParseSignedRequest(form.Get("signed_request"), h.cfg.AppSecret, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.cfg.Ledger.RequestDeletion(r.Context(), sr.UserID, sr.IssuedAt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "data deletion", "code", d.Code, "status", d.Status, "subjects", len(d.Subjects))
	writeJSON(w, http.StatusOK, deletionAnswer{URL: h.baseURL(r) + "/meta/data-deletion/" + d.Code, ConfirmationCode: d.Code})
}

// deletionStatus is the answer of GET /meta/data-deletion/{code}.
type deletionStatus struct {
	ConfirmationCode string         `json:"confirmation_code"`
	Status           DeletionStatus `json:"status"`
	RequestedAt      time.Time      `json:"requested_at"`
	CompletedAt      *time.Time     `json:"completed_at,omitempty"`
	Message          string         `json:"message"`
}

// writeStatusPage renders the deletion status for a browser. It is written with fmt and
// html.EscapeString rather than html/template, whose reflection keeps the linker from dropping
// unused methods and made the consent binary 7 MB larger than the others.
func writeStatusPage(w io.Writer, v deletionStatus) {
	const layout = "2006-01-02 15:04 MST"
	code := html.EscapeString(v.ConfirmationCode)
	completed := ""
	if v.CompletedAt != nil {
		completed = "; completed: " + v.CompletedAt.Format(layout)
	}
	fmt.Fprintf(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data deletion %s</title></head>
<body><h1>Data deletion request %s</h1>
<p>Status: <strong>%s</strong></p>
<p>%s</p>
<p>Requested: %s%s</p>
</body></html>
`, code, code, html.EscapeString(string(v.Status)), html.EscapeString(v.Message), v.RequestedAt.Format(layout), completed)
}

func (h *handler) getDeletion(w http.ResponseWriter, r *http.Request) {
	d, err := h.cfg.Ledger.Deletion(r.Context(), r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := deletionStatus{ConfirmationCode: d.Code, Status: d.Status, RequestedAt: d.RequestedAt}
	switch d.Status {
	case DeletionDone:
		at := d.CompletedAt
		v.CompletedAt = &at
		v.Message = "All data this business held about you from its Facebook, Instagram and WhatsApp chats has been deleted. " +
			"Only a record that you refused the sharing of your data for advertising is kept, so that it stays refused."
	default:
		v.Message = "Your request was received and the deletion has not finished yet. Check again later."
	}
	if prefersHTML(r.Header.Get("Accept")) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		writeStatusPage(w, v)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// prefersHTML reports whether a browser asked: text/html listed before any JSON type.
func prefersHTML(accept string) bool {
	h := strings.Index(accept, "text/html")
	j := strings.Index(accept, "json")
	return h >= 0 && (j < 0 || h < j)
}

// baseURL is the configured public base URL, or the one the request came in on.
func (h *handler) baseURL(r *http.Request) string {
	if h.base != "" {
		return h.base
	}
	scheme := "https"
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	} else if r.TLS == nil && (strings.HasPrefix(r.Host, "127.0.0.1") || strings.HasPrefix(r.Host, "localhost")) {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}
