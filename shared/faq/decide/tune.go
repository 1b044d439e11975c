package decide

import (
	"math"
	"slices"
)

// Prediction is a labelled ranking: a held-out or sampled question's truth (its class, or -1
// when out of scope) and the matcher's ranking of it, best first.
type Prediction struct {
	Truth int
	Top   []Scored
}

// Prior is what a small KB's threshold is shrunk towards (Tune): Threshold with the weight of
// Phrasings phrasings. A zero Phrasings keeps the cross-validated threshold as it is.
type Prior struct {
	Threshold float64
	Phrasings int
}

// DefaultPrior is the prior of Tune: about the threshold larger KBs choose, weighing as much as
// 200 phrasings.
var DefaultPrior = Prior{Threshold: 0.4, Phrasings: 200}

// Tune chooses the policy from the held-out predictions of a cross-validation; phrasings is
// the number of in-scope phrasings it trained on. The threshold minimises the expected cost
// per message (policyObjective) and is shrunk towards prior by that number; then the ask-back
// floor is chosen with that threshold (chooseAskFloor).
func Tune(preds []Prediction, phrasings int, prior Prior) Policy {
	pol := choosePolicy(preds, policyObjective)
	pol.Threshold = shrinkThreshold(pol.Threshold, phrasings, prior)
	pol.AskFloor = chooseAskFloor(preds, pol)
	return pol
}

// TuneOnSample chooses the threshold on a labelled sample of real traffic over nClass classes
// (out-of-scope questions included): the one whose decisions have the best multi-class MCC
// (answerMCC). The ratios keep their defaults.
func TuneOnSample(preds []Prediction, nClass int) Policy {
	return choosePolicy(preds, answerMCC(nClass))
}

// policyObjective scores a threshold on labelled predictions: minus the expected cost per
// message on traffic of which a share oosPrior is out of scope. An in-scope question not
// answered (asked back, rephrase, hand-over) costs 1; a wrong answer, to an in-scope or an
// out-of-scope question, costs wrongCost: a confident wrong answer is worse than a hand-over.
// Using rates makes it independent of how many out-of-scope examples the tuning data has.
func policyObjective(preds []Prediction, pol Policy) float64 {
	var nIn, nOut, missIn, wrongIn, wrongOut int
	for _, p := range preds {
		o := pol.Decide(p.Top)
		if p.Truth >= 0 {
			nIn++
			switch {
			case o.Action != Answer:
				missIn++
			case o.Class != p.Truth:
				wrongIn++
			}
		} else {
			nOut++
			if o.Action == Answer {
				wrongOut++
			}
		}
	}
	return -((1-oosPrior)*(rate(missIn, nIn)+wrongCost*rate(wrongIn, nIn)) + oosPrior*wrongCost*rate(wrongOut, nOut))
}

// oosPrior is the assumed share of out-of-scope messages (CLINC150's test split has 18 %;
// a small KB's traffic has more); wrongCost is the cost of a wrong answer against a miss.
var (
	oosPrior  = 0.15
	wrongCost = 2.0
)

// answerMCC scores a threshold on labelled predictions by the multi-class MCC of the
// decisions, out of scope (not answered) being one more class: the measure for a sample of
// real traffic (--val), whose own share of out-of-scope questions it weighs.
func answerMCC(nClass int) func([]Prediction, Policy) float64 {
	return func(preds []Prediction, pol Policy) float64 {
		truth := make([]int, len(preds))
		guess := make([]int, len(preds))
		for i, p := range preds {
			truth[i], guess[i] = p.Truth, -1
			if o := pol.Decide(p.Top); o.Action == Answer {
				guess[i] = o.Class
			}
		}
		return MCC(truth, guess, nClass)
	}
}

// choosePolicy picks the threshold that maximises objective (policyObjective, answerMCC) over
// the predictions' confidences.
func choosePolicy(preds []Prediction, objective func([]Prediction, Policy) float64) Policy {
	pol := NewPolicy(0)
	var confs []float64
	for _, p := range preds {
		if len(p.Top) > 0 {
			confs = append(confs, p.Top[0].Prob)
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
func chooseAskFloor(preds []Prediction, pol Policy) float64 {
	best, floor := math.Inf(-1), pol.AskFloor
	for i := len(askFloors) - 1; i >= 0; i-- {
		cand := pol
		cand.AskFloor = askFloors[i]
		var nIn, nOut int
		var gainIn, costOut float64
		for _, p := range preds {
			o := cand.Decide(p.Top)
			if p.Truth >= 0 {
				nIn++
				switch {
				case o.Action == Answer && o.Class == p.Truth:
					gainIn++
				case o.Action == Answer:
					gainIn -= wrongCost
				case o.Action == AskBack && slices.Contains(o.Options, p.Truth):
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
// jumps when one phrasing changes. shrinkThreshold pulls it towards prior.Threshold with the
// weight of prior.Phrasings phrasings (the estimate of n phrasings weighs n): a large KB keeps
// its own, a small one lands between.
func shrinkThreshold(th float64, n int, prior Prior) float64 {
	if prior.Phrasings <= 0 {
		return th
	}
	w := float64(n) / float64(n+prior.Phrasings)
	return w*th + (1-w)*prior.Threshold
}

// MCC is Gorodkin's R_K (the multi-class Matthews correlation coefficient) of guesses against
// truths over nClass classes, out of scope (-1) being one more class.
func MCC(truth, guess []int, nClass int) float64 {
	K := nClass + 1
	t := make([]float64, K)
	p := make([]float64, K)
	var c float64
	for i := range truth {
		a, b := truth[i]+1, guess[i]+1
		t[a]++
		p[b]++
		if a == b {
			c++
		}
	}
	s := float64(len(truth))
	var tp, tt, pp float64
	for k := 0; k < K; k++ {
		tp += t[k] * p[k]
		tt += t[k] * t[k]
		pp += p[k] * p[k]
	}
	den := math.Sqrt((s*s - pp) * (s*s - tt))
	if den == 0 {
		return 0
	}
	return (c*s - tp) / den
}

// rate is a/b, 0 when b is 0.
func rate(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
