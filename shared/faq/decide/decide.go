// Package decide is the FAQ bot's decision policy: from a ranking of entries with calibrated
// probabilities (Scored, best first) to an Outcome (answer, ask back, or a miss), and the
// choice of the policy's threshold and ask-back floor from labelled predictions (Tune, on the
// held-out predictions of cross-validation; TuneOnSample, on a sample of real traffic).
//
// It knows classes by index and probabilities, nothing of the knowledge base, the matcher
// that ranks or the texts: package faq glues them (its Bot turns an Outcome into a reply; its
// cross-validation makes the predictions). It does no I/O: no files, no network, no clock,
// no logs.
package decide

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

// Scored is a class with its calibrated probability.
type Scored struct {
	Class int
	Prob  float64
}

// Policy turns a ranking into an outcome. Its threshold is chosen from data (Tune,
// TuneOnSample); the ratios are fixed product choices.
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

// NewPolicy returns the policy with the given threshold and the default ratios.
func NewPolicy(threshold float64) Policy {
	return Policy{Threshold: threshold, CloseRatio: defaultCloseRatio, TieRatio: defaultTieRatio, AskFloor: defaultAskFloor}
}

// HumanThreshold is the confidence a human: true topic needs: halfway from the threshold to
// certainty. Handing a conversation over as a complaint or a legal matter on a lone shared
// word ("this is a text message" → complaint) costs an agent's time and the customer's trust.
func (p Policy) HumanThreshold() float64 { return p.Threshold + (1-p.Threshold)/2 }

// Close returns the leading entries of top (best first) that are worth offering, to the
// customer in a near tie or to an agent as suggestions: none when the best is below the ask
// floor (AskFloor·Threshold), else the best and those with at least CloseRatio of its
// probability.
func (p Policy) Close(top []Scored) []Scored {
	if len(top) == 0 || top[0].Prob < p.AskFloor*p.Threshold {
		return nil
	}
	n := 1
	for n < len(top) && top[n].Prob >= p.CloseRatio*top[0].Prob {
		n++
	}
	return top[:n]
}

// Outcome is the decision on a ranking: Answer (Class), AskBack (Options), or a miss (Action
// Clarify; the bot escalates a second miss). Class is -1 unless the action is Answer; Conf is
// the best probability.
type Outcome struct {
	Action  Action
	Class   int
	Options []int
	Conf    float64
}

// Decide turns top, a ranking best first, into an outcome.
func (p Policy) Decide(top []Scored) Outcome {
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
		for _, s := range p.Close(top) {
			opts = append(opts, s.Class)
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
