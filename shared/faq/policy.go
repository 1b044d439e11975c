package faq

import (
	"math/rand/v2"

	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
	"github.com/frontdesk-app/frontdesk/shared/faq/match"
)

// The decision policy is package decide; faq names the parts of it its own API hands out
// (Decision.Action, WithPolicy, Model.Policy, Bot.Policy).

// Action is what the bot does with a message.
type Action = decide.Action

// Actions (see decide.Action).
const (
	Answer   = decide.Answer
	AskBack  = decide.AskBack
	Clarify  = decide.Clarify
	Escalate = decide.Escalate
)

// Policy turns the matcher's ranking into an answer, an ask-back or a miss (see decide.Policy).
type Policy = decide.Policy

// minNegatives is how many out-of-scope examples cross-validation needs to rely on them alone.
const minNegatives = 30

// crossValidatePolicy chooses the policy and the calibration (match.FitScales) from the training
// phrasings alone: k folds over the
// phrasings and, crosswise, k groups of classes. Fold i trains on the phrasings outside fold i
// whose class is outside group i; its held-out phrasings of group-i classes stand in for
// out-of-scope queries (the model has never seen their topic), the others are in scope.
// Out-of-scope negatives in the phrasings (the shipped background, a KB's out_of_scope:
// phrasings, a data set's out-of-scope lines) are split over the folds too and count as out of
// scope. When the KB or the data brings at least minNegatives of its own, those and the
// background are the out-of-scope side on their own (real out-of-scope questions are less like
// the KB's topics than held-out entries, which would set the threshold too high), and no entry
// is held out; the background alone is too unlike a shop's near misses to stand for them.
func crossValidatePolicy(s settings, ps []match.Phrasing, nClass, k int, progress Progress) (Policy, [2]float64) {
	negatives := 0
	for _, p := range ps {
		if p.Class < 0 && !p.Background {
			negatives++
		}
	}
	holdOut := negatives < minNegatives
	rng := rand.New(rand.NewPCG(s.Seed, 7))
	fold := make([]int, len(ps))
	for i := range fold {
		fold[i] = i % k
	}
	rng.Shuffle(len(fold), func(i, j int) { fold[i], fold[j] = fold[j], fold[i] })
	group := make([]int, nClass)
	for c := range group {
		group[c] = c % k
		if !holdOut {
			group[c] = -1
		}
	}
	rng.Shuffle(len(group), func(i, j int) { group[i], group[j] = group[j], group[i] })
	var hs []match.HeldOut
	for f := 0; f < k; f++ {
		progress("cross-validation", f, k)
		var tr []match.Phrasing
		for i, p := range ps {
			if (fold[i] != f || p.Answer) && (p.Class < 0 || group[p.Class] != f) {
				tr = append(tr, p)
			}
		}
		m := match.Train(s.Matcher, tr, nClass)
		for i, p := range ps {
			if fold[i] != f || p.Answer {
				continue // an answer is no question: always trained on unless its entry is held out
			}
			truth := p.Class
			if truth >= 0 && group[truth] == f {
				truth = -1
			}
			hs = append(hs, m.HoldOut(p.Text, p.Lang, truth))
		}
	}
	progress("cross-validation", k, k)
	scale := match.FitScales(hs)
	inScope := 0
	for _, p := range ps {
		if p.Class >= 0 {
			inScope++
		}
	}
	return decide.Tune(match.Predictions(hs, scale), inScope, s.Prior), scale
}
