// Package retry is frontdesk's one retry loop for calls to remote APIs (the Graph API, the
// Conversions API, Slack's Web API). The loop and its exponential backoff with jitter are
// github.com/cenkalti/backoff/v5; this package adds what every caller needs: a server's
// Retry-After replaces the backoff (and one longer than MaxBackoff ends the retries), no wait
// runs past the caller's context deadline, and the caller gets its last real error back, not a
// wrapper. Each client brings its own classification of errors (Classify).
package retry

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Defaults of Policy.
const (
	DefaultMaxRetries  = 3
	DefaultBaseBackoff = 500 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
)

// Policy bounds the retries of one call. The zero value takes the defaults.
type Policy struct {
	// MaxRetries is how many times a failed attempt is retried: 0 means DefaultMaxRetries, a
	// negative value none.
	MaxRetries int
	// BaseBackoff is the first wait, doubled per retry, each randomised by ±50 %.
	BaseBackoff time.Duration
	// MaxBackoff caps each wait. A Retry-After longer than MaxBackoff ends the retries: the
	// caller's queue redelivers later instead of a function sleeping.
	MaxBackoff time.Duration
	// OnRetry, when set, is called with the error and the wait before each retry (logs, tests).
	OnRetry func(err error, wait time.Duration)
	// Sleep, when set, waits instead of the loop's timer and returns ctx's error when ctx ends
	// first: tests record the waits without spending them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Verdict is a client's classification of a failed attempt.
type Verdict struct {
	// Retry says whether the same request may succeed later.
	Retry bool
	// After is the server's Retry-After, zero when it sent none: it replaces the backoff.
	After time.Duration
}

// Classify tells Do whether and when to retry after err.
type Classify func(err error) Verdict

func (p Policy) tries() uint {
	switch {
	case p.MaxRetries < 0:
		return 1
	case p.MaxRetries == 0:
		return DefaultMaxRetries + 1
	}
	return uint(p.MaxRetries) + 1
}

func (p Policy) maxBackoff() time.Duration {
	if p.MaxBackoff > 0 {
		return p.MaxBackoff
	}
	return DefaultMaxBackoff
}

// Do calls attempt until it succeeds, classify says a retry cannot help, the retries run out,
// the next wait would end after ctx's deadline, or ctx ends. It returns attempt's last error;
// when ctx ended during a wait, that error joined with ctx's.
func Do[T any](ctx context.Context, p Policy, classify Classify, attempt func(context.Context) (T, error)) (T, error) {
	var (
		last error
		// With p.Sleep, the loop's timer waits 0 and the attempt first sleeps wait through
		// p.Sleep; after holds a Retry-After until the backoff hands it over.
		wait, after time.Duration
		retried     bool
	)
	op := func() (T, error) {
		if p.Sleep != nil && retried {
			if err := p.Sleep(ctx, wait); err != nil {
				var zero T
				return zero, backoff.Permanent(errors.Join(last, err))
			}
		}
		retried = true
		v, err := attempt(ctx)
		if err == nil {
			return v, nil
		}
		last = err
		vd := classify(err)
		switch {
		case !vd.Retry:
			return v, backoff.Permanent(err)
		case vd.After > 0:
			if vd.After > p.maxBackoff() || !fits(ctx, vd.After) {
				return v, backoff.Permanent(err)
			}
			if p.Sleep != nil {
				after = vd.After
				return v, &afterError{err: err}
			}
			return v, &afterError{err: err, after: backoff.RetryAfterError{Duration: vd.After}}
		}
		return v, err
	}
	base := p.BaseBackoff
	if base <= 0 {
		base = DefaultBaseBackoff
	}
	exp := &backoff.ExponentialBackOff{InitialInterval: base, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: p.maxBackoff()}
	bo := &bounded{next: exp, max: p.maxBackoff(), ctx: ctx}
	if p.Sleep != nil {
		bo.hook = func(d time.Duration) time.Duration {
			wait = d
			if after > 0 {
				wait, after = after, 0
			}
			return 0
		}
	}
	opts := []backoff.RetryOption{
		backoff.WithBackOff(bo),
		backoff.WithMaxTries(p.tries()),
		backoff.WithMaxElapsedTime(0), // bounded by tries and ctx instead
	}
	if p.OnRetry != nil {
		opts = append(opts, backoff.WithNotify(func(err error, d time.Duration) {
			if p.Sleep != nil {
				d = wait
			}
			p.OnRetry(unwrapAfter(err), d)
		}))
	}
	v, err := backoff.Retry(ctx, op, opts...)
	if err == nil {
		return v, nil
	}
	if last != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) && !errors.Is(err, last) {
		return v, errors.Join(last, err)
	}
	return v, unwrapAfter(err)
}

// fits reports whether a wait of d ends before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// bounded caps each backoff at max and stops when the wait would outlast ctx's deadline: a
// retry that cannot finish in time is not worth the wait.
type bounded struct {
	next backoff.BackOff
	max  time.Duration
	ctx  context.Context
	// hook, when set, takes the wait and returns the one the loop's timer waits.
	hook func(time.Duration) time.Duration
}

func (b *bounded) NextBackOff() time.Duration {
	d := min(b.next.NextBackOff(), b.max)
	if !fits(b.ctx, d) {
		return backoff.Stop
	}
	if b.hook != nil {
		return b.hook(d)
	}
	return d
}

func (b *bounded) Reset() { b.next.Reset() }

// afterError carries a retryable error with the server's Retry-After to backoff.Retry.
type afterError struct {
	err   error
	after backoff.RetryAfterError
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }

// As lets backoff.Retry find the Retry-After.
func (e *afterError) As(target any) bool {
	if p, ok := target.(**backoff.RetryAfterError); ok {
		*p = &e.after
		return true
	}
	return false
}

func unwrapAfter(err error) error {
	if ae, ok := err.(*afterError); ok {
		return ae.err
	}
	return err
}
