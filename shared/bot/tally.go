package bot

import (
	"context"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// tally holds an event's metrics until the event is saved: an attempt that fails, or loses a
// race and is retried, counts nothing, so a message is counted once however often it arrives.
type tally struct {
	counts    map[string]int
	durations map[string][]time.Duration
	// weekly are the digest's counters (learn.Store) to add once the event is saved.
	weekly []string
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

// countWeekly adds to one of the weekly digest's counters once the event is saved.
func (b *Bot) countWeekly(ctx context.Context, counter string) {
	if counter == "" || b.Learn == nil {
		return
	}
	if t, ok := ctx.Value(tallyKey{}).(*tally); ok {
		t.weekly = append(t.weekly, counter)
		return
	}
	b.addWeekly(ctx, counter)
}

// emitWeekly adds the event's weekly counts. They are a digest's, not an account's: a count
// that fails is logged and lost, and an event that crashes between its save and this counts
// nothing (its redelivery is recognised as applied).
func (b *Bot) emitWeekly(ctx context.Context, t *tally) {
	for _, c := range t.weekly {
		b.addWeekly(ctx, c)
	}
}

func (b *Bot) addWeekly(ctx context.Context, counter string) {
	now := b.now()
	if err := b.Learn.AddCount(ctx, learn.Week(now), counter, 1, now.Add(learn.TallyRetention)); err != nil {
		b.log().WarnContext(ctx, "weekly count lost", "counter", counter, "err", err)
	}
}
