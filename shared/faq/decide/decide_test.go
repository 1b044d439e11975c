package decide

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	pol := NewPolicy(0.5) // tie at 0.85 of the best, close at 0.5, floor at 0.75·0.5 = 0.375
	noTies := pol
	noTies.TieRatio = 0
	for _, tt := range []struct {
		name string
		pol  Policy
		top  []Scored
		want Outcome
	}{
		{"nothing ranked", pol, nil, Outcome{Action: Clarify, Class: -1}},
		{"sure", pol, []Scored{{3, 0.7}, {1, 0.2}, {0, 0.05}}, Outcome{Action: Answer, Class: 3, Conf: 0.7}},
		{"at the threshold", pol, []Scored{{2, 0.5}, {1, 0.3}}, Outcome{Action: Answer, Class: 2, Conf: 0.5}},
		{"alone", pol, []Scored{{4, 0.6}}, Outcome{Action: Answer, Class: 4, Conf: 0.6}},
		{"near tie: the close ones", pol, []Scored{{1, 0.5}, {0, 0.45}, {2, 0.24}}, Outcome{Action: AskBack, Class: -1, Options: []int{1, 0}, Conf: 0.5}},
		{"near tie, never asked above the threshold", noTies, []Scored{{1, 0.5}, {0, 0.45}}, Outcome{Action: Answer, Class: 1, Conf: 0.5}},
		{"likely, not sure: the top three", pol, []Scored{{5, 0.4}, {2, 0.1}, {7, 0.05}}, Outcome{Action: AskBack, Class: -1, Options: []int{5, 2, 7}, Conf: 0.4}},
		{"at the floor", pol, []Scored{{5, 0.375}, {2, 0.1}}, Outcome{Action: AskBack, Class: -1, Options: []int{5, 2}, Conf: 0.375}},
		{"below the floor", pol, []Scored{{5, 0.3}, {2, 0.29}}, Outcome{Action: Clarify, Class: -1, Conf: 0.3}},
	} {
		if diff := cmp.Diff(tt.want, tt.pol.Decide(tt.top)); diff != "" {
			t.Errorf("%s: Decide(%v) (-want +got):\n%s", tt.name, tt.top, diff)
		}
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	p := Policy{Threshold: 0.4, CloseRatio: 0.5, TieRatio: 0.85, AskFloor: 0.75}
	for _, tt := range []struct {
		top  []Scored
		want []int
	}{
		{nil, nil},
		{[]Scored{{1, 0.29}, {2, 0.2}}, nil}, // below the floor 0.3
		{[]Scored{{1, 0.31}, {2, 0.2}, {3, 0.15}}, []int{1, 2}},            // above the floor; 0.15 < 0.155
		{[]Scored{{1, 0.9}, {2, 0.45}, {3, 0.44}}, []int{1, 2}},            // CloseRatio of the best
		{[]Scored{{1, 0.5}, {2, 0.5}, {3, 0.5}, {4, 0.1}}, []int{1, 2, 3}}, // ties all close
	} {
		var got []int
		for _, s := range p.Close(tt.top) {
			got = append(got, s.Class)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Close(%v) = %v, want %v", tt.top, got, tt.want)
		}
	}
}

func TestHumanThresholdIsHalfwayToCertainty(t *testing.T) {
	t.Parallel()
	for th, want := range map[float64]float64{0.4: 0.7, 0: 0.5, 1: 1} {
		if got := NewPolicy(th).HumanThreshold(); got != want {
			t.Errorf("NewPolicy(%v).HumanThreshold() = %v, want %v", th, got, want)
		}
	}
}

func TestActionString(t *testing.T) {
	t.Parallel()
	for a, want := range map[Action]string{Answer: "answer", AskBack: "ask_back", Clarify: "clarify", Escalate: "escalate", 0: "none"} {
		if got := a.String(); got != want {
			t.Errorf("Action(%d).String() = %q, want %q", a, got, want)
		}
	}
}

func TestTuneOnSampleMaximisesMCC(t *testing.T) {
	t.Parallel()
	pred := func(truth, class int, prob float64) Prediction {
		return Prediction{Truth: truth, Top: []Scored{{class, prob}, {(class + 1) % 3, (1 - prob) / 4}}}
	}
	// In-scope questions are ranked right and confidently, out-of-scope ones are not: the best
	// threshold answers exactly the in-scope ones.
	preds := []Prediction{
		pred(0, 0, 0.9), pred(1, 1, 0.8), pred(2, 2, 0.7), pred(0, 0, 0.6),
		pred(-1, 2, 0.5), pred(-1, 1, 0.35), pred(-1, 0, 0.3),
	}
	pol := TuneOnSample(preds, 3)
	if pol.Threshold <= 0.5 || pol.Threshold > 0.6 {
		t.Errorf("threshold = %.2f, want in (0.5, 0.6]", pol.Threshold)
	}
	if got := answerMCC(3)(preds, pol); got != 1 {
		t.Errorf("MCC at the chosen threshold = %.3f, want 1", got)
	}
	if want := NewPolicy(pol.Threshold); pol != want {
		t.Errorf("policy = %+v, want the default ratios %+v", pol, want)
	}
}

// heldOut is a cross-validation's view of a small KB: ten in-scope questions ranked right
// and sure, ten ranked second behind a likelier wrong entry, ten out-of-scope ones weak.
func heldOut() []Prediction {
	var preds []Prediction
	for i := range 10 {
		preds = append(preds,
			Prediction{Truth: i % 3, Top: []Scored{{i % 3, 0.8}, {(i + 1) % 3, 0.1}}},
			Prediction{Truth: i % 3, Top: []Scored{{(i + 1) % 3, 0.45}, {i % 3, 0.3}}},
			Prediction{Truth: -1, Top: []Scored{{i % 3, 0.2}, {(i + 1) % 3, 0.1}}},
		)
	}
	return preds
}

func TestTuneChoosesThresholdAndAskFloor(t *testing.T) {
	t.Parallel()
	// Answering the second group would be wrong (cost 2 each): the threshold stays above 0.45.
	// Asking it back offers its entry (gain ½ each) and costs nothing while the out-of-scope
	// questions stay below the floor: 0.45 ≥ floor·0.8 > 0.2, the highest such floor is 0.5.
	pol := Tune(heldOut(), 30, Prior{})
	if pol.Threshold != 0.8 {
		t.Errorf("threshold = %v, want 0.8 (the lowest that answers no second-ranked question)", pol.Threshold)
	}
	if pol.AskFloor != 0.5 {
		t.Errorf("ask floor = %v, want 0.5", pol.AskFloor)
	}
	q := Prediction{Truth: 1, Top: []Scored{{2, 0.45}, {1, 0.3}}}
	if got := pol.Decide(q.Top); got.Action != AskBack || !cmp.Equal(got.Options, []int{2, 1}) {
		t.Errorf("Decide(second-ranked question) = %+v, want an ask-back offering 2 and 1", got)
	}
	if got := pol.Decide([]Scored{{0, 0.2}, {1, 0.1}}); got.Action != Clarify {
		t.Errorf("Decide(out-of-scope question) = %+v, want a miss", got)
	}
}

func TestTuneShrinksASmallKBsThreshold(t *testing.T) {
	t.Parallel()
	prior := Prior{Threshold: 0.4, Phrasings: 30}
	// 30 phrasings weigh as much as the prior: halfway between 0.8 and 0.4.
	if got := Tune(heldOut(), 30, prior).Threshold; got < 0.6-1e-12 || got > 0.6+1e-12 {
		t.Errorf("threshold of 30 phrasings = %v, want 0.6", got)
	}
	if got := Tune(heldOut(), 3000, prior).Threshold; got < 0.79 || got > 0.8 {
		t.Errorf("threshold of 3000 phrasings = %v, want about its own 0.8", got)
	}
	for _, tt := range []struct {
		th    float64
		n     int
		prior Prior
		want  float64
	}{
		{0.1, 0, DefaultPrior, DefaultPrior.Threshold},
		{0.1, 200, Prior{Threshold: 0.5, Phrasings: 200}, 0.3},
		{0.1, 200, Prior{Threshold: 0.5}, 0.1},
		{0.1, 0, Prior{Threshold: 0.5}, 0.1},
	} {
		if got := shrinkThreshold(tt.th, tt.n, tt.prior); got < tt.want-1e-12 || got > tt.want+1e-12 {
			t.Errorf("shrinkThreshold(%v, %d, %+v) = %v, want %v", tt.th, tt.n, tt.prior, got, tt.want)
		}
	}
}

func TestMCC(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name         string
		truth, guess []int
		want         float64
	}{
		{"all right", []int{0, 1, -1, 2}, []int{0, 1, -1, 2}, 1},
		{"one class only", []int{0, 0}, []int{0, 0}, 0},
		{"two classes swapped", []int{0, 1, 0, 1}, []int{1, 0, 1, 0}, -1},
		// Binary MCC with out of scope as the negative class: tp 1, fn 1, fp 0, tn 2.
		{"binary", []int{0, 0, -1, -1}, []int{0, -1, -1, -1}, 1 / 1.7320508075688772},
	} {
		if got := MCC(tt.truth, tt.guess, 1+max(0, maxOf(tt.truth))); got < tt.want-1e-12 || got > tt.want+1e-12 {
			t.Errorf("%s: MCC = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func maxOf(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
