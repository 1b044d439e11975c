package bot

import (
	"context"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// tally holds an event's metrics until the event is saved: an attempt that fails, or loses a
// race and is retried, counts nothing, so a message is counted once however often it arrives.
type tally struct {
	counts    map[string]int
	durations map[string][]time.Duration
}

type tallyKey struct{}

// withTally returns a context whose metrics wait in a tally.
func withTally(ctx context.Context) (context.Context, *tally) {
	t := &tally{counts: map[string]int{}, durations: map[string][]time.Duration{}}
	return context.WithValue(ctx, tallyKey{}, t), t
}

// emit records the tally.
func (t *tally) emit(r metrics.Recorder) {
	for name, n := range t.counts {
		r.Count(name, n)
	}
	for name, ds := range t.durations {
		for _, d := range ds {
			r.Milliseconds(name, d)
		}
	}
}

// count adds to the event's tally, or records at once outside an event.
func (b *Bot) count(ctx context.Context, name string, n int) {
	if t, ok := ctx.Value(tallyKey{}).(*tally); ok {
		t.counts[name] += n
		return
	}
	b.metrics().Count(name, n)
}

// duration is count for a duration.
func (b *Bot) duration(ctx context.Context, name string, d time.Duration) {
	if t, ok := ctx.Value(tallyKey{}).(*tally); ok {
		t.durations[name] = append(t.durations[name], d)
		return
	}
	b.metrics().Milliseconds(name, d)
}
