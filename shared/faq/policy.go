package faq

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Action is what the bot does with a message.
type Action int

// Actions. Clarify is the first miss: the bot asks the customer to rephrase (no options); the
// second miss in a row escalates.
const (
	Answer Action = iota + 1
	AskBack
	Clarify
	Escalate
)

func (a Action) String() string {
	switch a {
	case Answer:
		return "answer"
	case AskBack:
		return "ask_back"
	case Clarify:
		return "clarify"
	case Escalate:
		return "escalate"
	}
	return "none"
}

// Policy turns a ranking into an outcome. Its threshold is chosen from data (choosePolicy,
// crossValidatePolicy); the ratios are fixed product choices.
type Policy struct {
	// Threshold: answer when the best probability reaches it (and the runner-up is not a tie).
	Threshold float64 `json:"threshold"`
	// CloseRatio: between AskFloor·Threshold and Threshold, ask back with the candidates whose
	// probability is at least CloseRatio times the best one's, when there are two or more.
	CloseRatio float64 `json:"closeRatio"`
	// TieRatio: at or above Threshold, still ask back when the runner-up has at least TieRatio
	// times the best probability (a near tie); 0 never asks above the threshold.
	TieRatio float64 `json:"tieRatio"`
	// AskFloor: below AskFloor·Threshold the best candidate is too weak to offer: a miss. Below
	// Threshold the offered candidates must also reach Threshold together.
	AskFloor float64 `json:"askFloor"`
}

// Default ratios of a Policy.
const (
	defaultCloseRatio = 0.5
	defaultTieRatio   = 0.85
	defaultAskFloor   = 0.75
)

// humanThreshold is the confidence a human: true topic needs: halfway from the threshold to
// certainty. Handing a conversation over as a complaint or a legal matter on a lone shared
// word ("this is a text message" → complaint) costs an agent's time and the customer's trust.
func (p Policy) humanThreshold() float64 { return p.Threshold + (1-p.Threshold)/2 }

func newPolicy(threshold float64) Policy {
	return Policy{Threshold: threshold, CloseRatio: defaultCloseRatio, TieRatio: defaultTieRatio, AskFloor: defaultAskFloor}
}

// Outcome is the matcher-level decision: Answer (Class), AskBack (Options), or a miss
// (Action Clarify; the bot escalates a second miss).
type Outcome struct {
	Action  Action
	Class   int
	Options []int
	Conf    float64
}

func (p Policy) decide(top []Scored) Outcome {
	if len(top) == 0 {
		return Outcome{Action: Clarify, Class: -1}
	}
	best := top[0]
	ratio := 0.0
	if len(top) > 1 && best.Prob > 0 {
		ratio = top[1].Prob / best.Prob
	}
	switch {
	case best.Prob >= p.Threshold:
		if p.TieRatio <= 0 || ratio < p.TieRatio {
			return Outcome{Action: Answer, Class: best.Class, Conf: best.Prob}
		}
		// A near tie: offer the close ones.
		var opts []int
		for _, s := range top {
			if s.Prob >= p.CloseRatio*best.Prob {
				opts = append(opts, s.Class)
			}
		}
		return Outcome{Action: AskBack, Class: -1, Options: opts, Conf: best.Prob}
	case best.Prob >= p.AskFloor*p.Threshold:
		// Between the floor and the threshold the best entry is likely but not sure, and
		// the right one is often second or third: offer the ranking's top entries rather
		// than asking the customer to rephrase.
		opts := make([]int, 0, len(top))
		for _, s := range top {
			opts = append(opts, s.Class)
		}
		return Outcome{Action: AskBack, Class: -1, Options: opts, Conf: best.Prob}
	}
	return Outcome{Action: Clarify, Class: -1, Conf: best.Prob}
}

// policyObjective scores a threshold on labelled predictions: minus the expected cost per
// message on traffic of which a share oosPrior is out of scope. An in-scope question not
// answered (asked back, rephrase, hand-over) costs 1; a wrong answer, to an in-scope or an
// out-of-scope question, costs wrongCost: a confident wrong answer is worse than a hand-over.
// Using rates makes it independent of how many out-of-scope examples the tuning data has.
func policyObjective(preds []prediction, pol Policy) float64 {
	var nIn, nOut, missIn, wrongIn, wrongOut int
	for _, p := range preds {
		o := pol.decide(p.top)
		if p.truth >= 0 {
			nIn++
			switch {
			case o.Action != Answer:
				missIn++
			case o.Class != p.truth:
				wrongIn++
			}
		} else {
			nOut++
			if o.Action == Answer {
				wrongOut++
			}
		}
	}
	return -((1-oosPrior)*(ratio(missIn, nIn)+wrongCost*ratio(wrongIn, nIn)) + oosPrior*wrongCost*ratio(wrongOut, nOut))
}

// minNegatives is how many out-of-scope examples cross-validation needs to rely on them alone.
const minNegatives = 30

// oosPrior is the assumed share of out-of-scope messages (CLINC150's test split has 18 %;
// a small KB's traffic has more); wrongCost is the cost of a wrong answer against a miss.
var (
	oosPrior  = 0.15
	wrongCost = 2.0
)

// answerMCC scores a threshold on labelled predictions by the multi-class MCC of the
// decisions, out of scope (not answered) being one more class: the measure for a sample of
// real traffic (--val), whose own share of out-of-scope questions it weighs.
func answerMCC(nClass int) func([]prediction, Policy) float64 {
	return func(preds []prediction, pol Policy) float64 {
		truth := make([]int, len(preds))
		guess := make([]int, len(preds))
		for i, p := range preds {
			truth[i], guess[i] = p.truth, -1
			if o := pol.decide(p.top); o.Action == Answer {
				guess[i] = o.Class
			}
		}
		return multiclassMCC(truth, guess, nClass)
	}
}

// choosePolicy picks the threshold that maximises objective (policyObjective, answerMCC) over
// the predictions' confidences.
func choosePolicy(preds []prediction, objective func([]prediction, Policy) float64) Policy {
	pol := newPolicy(0)
	var confs []float64
	for _, p := range preds {
		if len(p.top) > 0 {
			confs = append(confs, p.top[0].Prob)
		}
	}
	slices.Sort(confs)
	confs = slices.Compact(confs)
	step := max(1, len(confs)/500)
	best := -1.0
	for k := 0; k < len(confs); k += step {
		cand := pol
		cand.Threshold = confs[k]
		if v := objective(preds, cand); v > best {
			best, pol.Threshold = v, confs[k]
		}
	}
	return pol
}

// crossValidatePolicy chooses the policy and the calibration (fitScales) from the training
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
func crossValidatePolicy(cfg matcherConfig, ps []Phrasing, nClass, k int, progress Progress) (Policy, [2]float64) {
	negatives := 0
	for _, p := range ps {
		if p.Class < 0 && !p.Background {
			negatives++
		}
	}
	holdOut := negatives < minNegatives
	rng := rand.New(rand.NewPCG(cfg.Seed, 7))
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
	var hs []heldOut
	for f := 0; f < k; f++ {
		progress("cross-validation", f, k)
		var tr []Phrasing
		for i, p := range ps {
			if (fold[i] != f || p.Answer) && (p.Class < 0 || group[p.Class] != f) {
				tr = append(tr, p)
			}
		}
		m := trainMatcher(cfg, tr, nClass)
		for i, p := range ps {
			if fold[i] != f || p.Answer {
				continue // an answer is no question: always trained on unless its entry is held out
			}
			truth := p.Class
			if truth >= 0 && group[truth] == f {
				truth = -1
			}
			hs = append(hs, m.holdOut(p.Text, p.Lang, truth))
		}
	}
	progress("cross-validation", k, k)
	scale := fitScales(hs)
	pol := choosePolicy(predictions(hs, scale), policyObjective)
	inScope := 0
	for _, p := range ps {
		if p.Class >= 0 {
			inScope++
		}
	}
	pol.Threshold = shrinkThreshold(pol.Threshold, inScope)
	preds := predictions(hs, scale)
	pol.AskFloor = chooseAskFloor(preds, pol)
	return pol, scale
}

// askFloors are the candidate ask-back floors, as fractions of the threshold.
var askFloors = []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1}

// askBackCost is the cost of asking back on an out-of-scope question (the customer reads
// options that are not theirs and taps none): as much as an ask-back offering the right
// entry gains over a miss.
const askBackCost = 0.5

// chooseAskFloor picks the floor of the uncertain band (Policy.AskFloor) on the held-out
// predictions with the threshold fixed: an in-scope question answered right gains 1, asked
// back with its entry among the options 0.5, answered wrong loses wrongCost; an out-of-scope
// question answered loses wrongCost, asked back askBackCost. Ties keep the higher floor.
func chooseAskFloor(preds []prediction, pol Policy) float64 {
	best, floor := math.Inf(-1), pol.AskFloor
	for i := len(askFloors) - 1; i >= 0; i-- {
		cand := pol
		cand.AskFloor = askFloors[i]
		var nIn, nOut int
		var gainIn, costOut float64
		for _, p := range preds {
			o := cand.decide(p.top)
			if p.truth >= 0 {
				nIn++
				switch {
				case o.Action == Answer && o.Class == p.truth:
					gainIn++
				case o.Action == Answer:
					gainIn -= wrongCost
				case o.Action == AskBack && slices.Contains(o.Options, p.truth):
					gainIn += 0.5
				}
				continue
			}
			nOut++
			switch o.Action {
			case Answer:
				costOut += wrongCost
			case AskBack:
				costOut += askBackCost
			}
		}
		v := (1-oosPrior)*gainIn/float64(max(1, nIn)) - oosPrior*costOut/float64(max(1, nOut))
		if v > best+1e-9 {
			best, floor = v, askFloors[i]
		}
	}
	return floor
}

// A small KB's cross-validation rests on a few dozen held-out phrasings: its best threshold
// jumps when one phrasing changes. shrinkThreshold pulls it towards priorThreshold with the
// weight of priorPhrasings phrasings (the estimate of n phrasings weighs n): a large KB keeps
// its own, a small one lands between.
func shrinkThreshold(th float64, n int) float64 {
	w := float64(n) / float64(n+priorPhrasings)
	return w*th + (1-w)*priorThreshold
}

var (
	priorThreshold = 0.4
	priorPhrasings = 200
)
