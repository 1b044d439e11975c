package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/retry"
)

// DefaultTimeout bounds each attempt of a Transport.
const DefaultTimeout = 10 * time.Second

// maxResponseBytes bounds what is read of a Graph answer.
const maxResponseBytes = 1 << 20

// Doer sends HTTP requests; *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Transport is the one HTTP transport to Meta's Graph API, shared by the reply senders (Client)
// and the Conversions API client (package adsignals). Each attempt is bounded by Timeout and by
// the caller's context; 5xx answers, 429 and Meta's rate-limit codes are retried (package retry:
// backoff with jitter, Retry-After honoured, no wait past the context's deadline); a failure
// before the request left is retried, one after is not (a send has no idempotency key at Meta).
//
// Errors are an *APIError when Meta answered, otherwise a transport error; neither's Error text
// holds a message text, a token, a URL or a number of a customer. Classify maps them to kinds.
// A Transport is safe for concurrent use; the zero value works.
type Transport struct {
	// HTTP sends the requests, default an *http.Client without a timeout of its own.
	HTTP Doer
	// Retry bounds the retries (zero: retry.Policy's defaults).
	Retry retry.Policy
	// Timeout bounds each attempt, default DefaultTimeout.
	Timeout time.Duration
	// Now reads Retry-After dates, default time.Now.
	Now func() time.Time
}

var defaultHTTP = &http.Client{}

// PostJSON posts body, JSON, to endpoint with token as the bearer token and decodes a 2xx
// answer into out.
func (t *Transport) PostJSON(ctx context.Context, endpoint, token string, body []byte, out any) error {
	return t.Post(ctx, endpoint, token, "application/json", body, out)
}

// Post posts body of contentType (JSON, or a multipart form for a media upload) to endpoint
// with token as the bearer token and decodes a 2xx answer, JSON, into out.
func (t *Transport) Post(ctx context.Context, endpoint, token, contentType string, body []byte, out any) error {
	_, err := retry.Do(ctx, t.Retry, verdict, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.attempt(ctx, endpoint, token, contentType, body, out)
	})
	return err
}

// Get fetches endpoint with token as the bearer token, with the retries of Post (a GET has no
// side effect, so a timed-out one is retried too), and decodes a 2xx answer, JSON, into out.
func (t *Transport) Get(ctx context.Context, endpoint, token string, out any) error {
	_, err := retry.Do(ctx, t.Retry, getVerdict, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.attempt(ctx, endpoint, token, "", nil, out)
	})
	return err
}

// getVerdict retries what verdict retries, and a GET whose answer did not come.
func getVerdict(err error) retry.Verdict {
	if _, ok := errors.AsType[*netError](err); ok {
		return retry.Verdict{Retry: true}
	}
	return verdict(err)
}

// Doer returns the client that sends the transport's requests.
func (t *Transport) Doer() Doer {
	if t.HTTP == nil {
		return defaultHTTP
	}
	return t.HTTP
}

func (t *Transport) attempt(ctx context.Context, endpoint, token, contentType string, body []byte, out any) error {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	method, rd := http.MethodGet, io.Reader(nil)
	if body != nil {
		method, rd = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, rd)
	if err != nil {
		return &netError{err: errors.New("the request cannot be built")}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	doer := t.HTTP
	if doer == nil {
		doer = defaultHTTP
	}
	resp, err := doer.Do(req)
	if err != nil {
		return &netError{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &netError{err: err, sent: true}
	}
	if resp.StatusCode/100 != 2 {
		now := time.Now
		if t.Now != nil {
			now = t.Now
		}
		return apiError(resp, data, now)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &APIError{Status: resp.StatusCode, Type: "answer is not JSON"}
	}
	return nil
}

// verdict is the Graph API's retry classification.
func verdict(err error) retry.Verdict {
	if ne, ok := errors.AsType[*netError](err); ok {
		// Retry only when the request surely did not reach Meta (no connection): a send that
		// timed out may have been delivered.
		oe, isOp := errors.AsType[*net.OpError](ne.err)
		return retry.Verdict{Retry: !ne.sent && isOp && oe.Op == "dial"}
	}
	if ae, ok := errors.AsType[*APIError](err); ok && ae.Retryable() {
		return retry.Verdict{Retry: true, After: ae.RetryAfter}
	}
	return retry.Verdict{}
}

func apiError(resp *http.Response, data []byte, now func() time.Time) *APIError {
	var env struct {
		Error *APIError `json:"error"`
	}
	e := &APIError{}
	if json.Unmarshal(data, &env) == nil && env.Error != nil {
		e = env.Error
	}
	e.Status = resp.StatusCode
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// retryAfter parses Retry-After: delay seconds or an HTTP date.
func retryAfter(v string, now func() time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now()); d > 0 {
			return d
		}
	}
	return 0
}

// netError is a transport failure. sent reports whether the request may have reached Meta.
// Its text leaves out the URL (it names accounts and datasets).
type netError struct {
	err  error
	sent bool
}

func (e *netError) Error() string {
	err := e.err
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	return "graph api: " + err.Error()
}

func (e *netError) Unwrap() error { return e.err }
