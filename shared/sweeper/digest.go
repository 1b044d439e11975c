package sweeper

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/learn/kbpatch"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// Digest posts, once a week, what the bot missed into the Slack channel: the most frequent
// escalation reasons, the entries agents chose most often and the knowledge-base suggestions
// waiting for review. Counts only, never a customer's words.
//
// On every run it also retires the suggestions the knowledge base now holds: the shop merged
// them and the bot runs on the rebuilt knowledge base, so they are accepted (counted, metric
// SuggestionsAccepted) and deleted.
type Digest struct {
	Learn learn.Store
	// Sends makes the weekly post happen once (key digest#<week>), whatever the schedule.
	Sends dedup.Store
	Desk  desk.Learning
	// Channel is where the digest goes (the escalation channel).
	Channel string
	// KB is the knowledge base the bot runs on; nil skips the acceptance check.
	KB      *faq.KB
	Metrics metrics.Recorder
	Now     func() time.Time
	// Top bounds each list; 5 when zero.
	Top int
}

// DigestReport says what a digest run did.
type DigestReport struct {
	Accepted int
	// Posted is the week whose digest was posted, "" when none was due.
	Posted string
}

// Run retires accepted suggestions and posts last week's digest if it was not posted yet.
func (d *Digest) Run(ctx context.Context) (DigestReport, error) {
	const op apperr.Op = "sweeper.Digest"
	var r DigestReport
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	all, err := d.Learn.Suggestions(ctx)
	if err != nil {
		return r, apperr.Wrap(op, apperr.Other, err, "cannot list suggestions")
	}
	var waiting []learn.Suggestion
	for _, s := range all {
		if d.KB == nil || !kbpatch.Accepted(d.KB, s) {
			waiting = append(waiting, s)
			continue
		}
		if err := d.Learn.DeleteSuggestion(ctx, s.ID); err != nil {
			return r, apperr.Wrap(op, apperr.Other, err, "cannot retire an accepted suggestion")
		}
		if err := d.Learn.AddCount(ctx, learn.Week(now), learn.CounterAccepted, 1, now.Add(learn.TallyRetention)); err != nil {
			return r, apperr.Wrap(op, apperr.Other, err, "cannot count an accepted suggestion")
		}
		r.Accepted++
	}
	if r.Accepted > 0 && d.Metrics != nil {
		d.Metrics.Count(metrics.SuggestionsAccepted, r.Accepted)
	}

	week := learn.Week(now.AddDate(0, 0, -7))
	key := "digest#" + week
	existing, ok, err := d.Sends.ClaimSend(ctx, dedup.Send{Key: key, ReservedAt: now, ExpiresAt: now.Add(8 * 24 * time.Hour)}, now.Add(-10*time.Minute))
	if err != nil {
		return r, apperr.Wrap(op, apperr.Other, err, "cannot reserve the digest")
	}
	if !ok || existing != nil {
		return r, nil // posted already (or being posted)
	}
	counts, err := d.Learn.Counts(ctx, week)
	quiet := err == nil && len(counts) == 0 && len(waiting) == 0
	if err == nil && !quiet {
		err = d.Desk.PostDigest(ctx, d.Channel, DigestOf(week, counts, len(waiting), d.top()))
	}
	if err != nil {
		if rerr := d.Sends.ReleaseSend(ctx, key); rerr != nil {
			err = fmt.Errorf("%w (and the reservation stays: %v)", err, rerr)
		}
		return r, apperr.Wrap(op, apperr.Other, err, "weekly digest not posted")
	}
	if err := d.Sends.CompleteSend(ctx, key, ""); err != nil {
		return r, apperr.Wrap(op, apperr.Other, err, "weekly digest posted but not recorded")
	}
	if !quiet { // a week without escalations or suggestions posts nothing
		r.Posted = week
	}
	return r, nil
}

func (d *Digest) top() int {
	if d.Top > 0 {
		return d.Top
	}
	return 5
}

// DigestOf is the digest of a week's counts: the top reasons and entries, most frequent first.
func DigestOf(week string, counts map[string]int, waiting, top int) desk.Digest {
	pick := func(prefix string) []desk.Count {
		var out []desk.Count
		for k, n := range counts {
			if name, ok := strings.CutPrefix(k, prefix); ok && n > 0 {
				out = append(out, desk.Count{Name: name, N: n})
			}
		}
		slices.SortFunc(out, func(a, b desk.Count) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Name, b.Name)) })
		return out[:min(top, len(out))]
	}
	return desk.Digest{Week: week, Reasons: pick("reason:"), Entries: pick("entry:"),
		Made: counts[learn.CounterSuggestions], Accepted: counts[learn.CounterAccepted], Waiting: waiting}
}
