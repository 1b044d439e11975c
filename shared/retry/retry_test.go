package retry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/retry"
)

var (
	errBusy = errors.New("busy")
	errNo   = errors.New("refused")
)

func classify(err error) retry.Verdict {
	var ra raErr
	if errors.As(err, &ra) {
		return retry.Verdict{Retry: true, After: time.Duration(ra)}
	}
	return retry.Verdict{Retry: errors.Is(err, errBusy)}
}

type raErr time.Duration

func (raErr) Error() string { return "retry later" }

// script answers each attempt with the next error (nil: success) and counts the attempts.
func script(errs ...error) (func(context.Context) (int, error), *int) {
	n := 0
	return func(context.Context) (int, error) {
		n++
		if n <= len(errs) && errs[n-1] != nil {
			return 0, errs[n-1]
		}
		return n, nil
	}, &n
}

func fast() (retry.Policy, *[]time.Duration) {
	var waits []time.Duration
	return retry.Policy{BaseBackoff: time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		OnRetry: func(_ error, d time.Duration) { waits = append(waits, d) }}, &waits
}

func TestDo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		policy    func(*retry.Policy)
		errs      []error
		wantErr   error
		wantCalls int
	}{
		{"success at once", nil, nil, nil, 1},
		{"retried until success", nil, []error{errBusy, errBusy}, nil, 3},
		{"a refusal is never retried", nil, []error{errNo}, errNo, 1},
		{"retries run out with the last error", nil, []error{errBusy, errBusy, errBusy, errBusy, errBusy}, errBusy, 4},
		{"no retries", func(p *retry.Policy) { p.MaxRetries = -1 }, []error{errBusy}, errBusy, 1},
		{"retry-after honoured", nil, []error{raErr(5 * time.Millisecond)}, nil, 2},
		{"retry-after beyond the cap ends the retries", nil, []error{raErr(time.Hour)}, raErr(time.Hour), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, waits := fast()
			if tt.policy != nil {
				tt.policy(&p)
			}
			attempt, calls := script(tt.errs...)
			_, err := retry.Do(context.Background(), p, classify, attempt)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if *calls != tt.wantCalls {
				t.Errorf("attempts = %d, want %d", *calls, tt.wantCalls)
			}
			if len(*waits) != tt.wantCalls-1 {
				t.Errorf("waits = %v, want %d", *waits, tt.wantCalls-1)
			}
			for _, w := range *waits {
				if w > p.MaxBackoff {
					t.Errorf("wait %v over MaxBackoff %v", w, p.MaxBackoff)
				}
			}
		})
	}
}

func TestDoRetryAfterIsTheWait(t *testing.T) {
	t.Parallel()
	p, waits := fast()
	attempt, _ := script(raErr(7 * time.Millisecond))
	if _, err := retry.Do(context.Background(), p, classify, attempt); err != nil {
		t.Fatal(err)
	}
	if len(*waits) != 1 || (*waits)[0] != 7*time.Millisecond {
		t.Errorf("waits = %v, want [7ms]", *waits)
	}
}

// A wait that would end after the deadline is not started: the caller gets the error at once,
// with its time left to report it.
func TestDoStopsBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	// Every wait is at least 4 s × 0.5 (the jitter): none ends before the deadline.
	p := retry.Policy{BaseBackoff: 4 * time.Second, MaxBackoff: 4 * time.Second}
	attempt, calls := script(errBusy, errBusy)
	start := time.Now()
	_, err := retry.Do(ctx, p, classify, attempt)
	if !errors.Is(err, errBusy) || errors.Is(err, context.DeadlineExceeded) || *calls != 1 {
		t.Errorf("err = %v after %d attempts, want busy (not the deadline) after 1", err, *calls)
	}
	if took := time.Since(start); took >= time.Second {
		t.Errorf("Do took %v: it waited for a retry that could not finish", took)
	}
	attempt, calls = script(raErr(3*time.Second), nil)
	p.MaxBackoff = time.Hour
	if _, err := retry.Do(ctx, p, classify, attempt); err == nil || *calls != 1 {
		t.Errorf("Retry-After past the deadline: err = %v after %d attempts, want the error after 1", err, *calls)
	}
}

func TestDoCancelledDuringAWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	p := retry.Policy{BaseBackoff: time.Second, MaxBackoff: time.Second, OnRetry: func(error, time.Duration) { cancel() }}
	attempt, _ := script(errBusy, errBusy)
	_, err := retry.Do(ctx, p, classify, attempt)
	if !errors.Is(err, errBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want busy and canceled", err)
	}
}

// With Sleep, the waits are the policy's but not spent.
func TestDoWithSleep(t *testing.T) {
	t.Parallel()
	var slept, notified []time.Duration
	p := retry.Policy{BaseBackoff: time.Second, MaxBackoff: time.Minute,
		Sleep:   func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
		OnRetry: func(_ error, d time.Duration) { notified = append(notified, d) }}
	attempt, calls := script(errBusy, raErr(7*time.Second), errBusy)
	start := time.Now()
	if _, err := retry.Do(context.Background(), p, classify, attempt); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Do took %v with a Sleep hook", took)
	}
	if *calls != 4 || len(slept) != 3 || slept[1] != 7*time.Second || slept[0] < 500*time.Millisecond || slept[0] > 1500*time.Millisecond {
		t.Errorf("attempts %d, slept %v: want 4 attempts, waits [~1s 7s ~2s]", *calls, slept)
	}
	if len(notified) != 3 || notified[1] != slept[1] || notified[0] != slept[0] {
		t.Errorf("OnRetry saw %v, want the waits slept %v", notified, slept)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	attempt, calls = script(errBusy, errBusy)
	if _, err := retry.Do(ctx, p, classify, attempt); !errors.Is(err, errBusy) || !errors.Is(err, context.Canceled) || *calls != 1 {
		t.Errorf("cancelled sleep: err = %v after %d attempts, want busy and canceled after 1", err, *calls)
	}
}
