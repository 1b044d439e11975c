package match

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// toyPhrasings are three small topics and two out-of-scope negatives.
var toyPhrasings = []Phrasing{
	{Text: "where is my parcel", Lang: nlp.English, Class: 0}, {Text: "track my parcel", Lang: nlp.English, Class: 0}, {Text: "parcel status", Lang: nlp.English, Class: 0},
	{Text: "i forgot my password", Lang: nlp.English, Class: 1}, {Text: "reset password", Lang: nlp.English, Class: 1}, {Text: "new password please", Lang: nlp.English, Class: 1},
	{Text: "can i pay by card", Lang: nlp.English, Class: 2}, {Text: "card payment", Lang: nlp.English, Class: 2}, {Text: "pay with paypal", Lang: nlp.English, Class: 2},
	{Text: "what is the weather", Lang: nlp.English, Class: -1}, {Text: "tell me a joke", Lang: nlp.English, Class: -1},
}

func TestTrainSVMSeparatesTheClasses(t *testing.T) {
	t.Parallel()
	texts := make([]string, len(toyPhrasings))
	langs := make([]string, len(toyPhrasings))
	for i, p := range toyPhrasings {
		texts[i], langs[i] = p.Text, p.Lang
	}
	voc, raws := buildVocab(defaultFeatures, texts, langs)
	xs := make([]sparse, len(raws))
	ys := make([]int, len(raws))
	for i := range raws {
		xs[i], ys[i] = voc.vectorize(raws[i]), toyPhrasings[i].Class
	}
	m := trainSVM(xs, ys, 3, len(voc.idf), defaultSVM, false)
	z := make([]float64, 3)
	for i, x := range xs {
		m.scores(x, z)
		if ys[i] < 0 {
			continue
		}
		margin := math.Inf(1)
		for c, v := range z {
			if c != ys[i] {
				margin = min(margin, z[ys[i]]-v)
			}
		}
		// C = 1 on a separable set: the margins approach 1.
		if margin < 0.5 {
			t.Errorf("%q: margin %.3f over the runner-up, want ≥ 0.5 (scores %v)", toyPhrasings[i].Text, margin, z)
		}
	}
	again := trainSVM(xs, ys, 3, len(voc.idf), defaultSVM, false)
	if !cmp.Equal(m, again, cmp.AllowUnexported(linearModel{})) {
		t.Error("two trainings on the same data differ: want a deterministic SVM")
	}
}

func TestTrainNBScores(t *testing.T) {
	t.Parallel()
	// Two features, two classes, one phrasing each; α = 1, J = 2:
	// log P(j|c) = log(1 + n_cj) − log(2 + N_c), with n = [[1 0] [0 3]], N = [1 3].
	xs := []sparse{{idx: []int32{0}, val: []float32{1}}, {idx: []int32{1}, val: []float32{3}}, {idx: []int32{0, 1}, val: []float32{5, 5}}}
	ys := []int{0, 1, -1}
	m := trainNB(xs, ys, 2, 2, NB{Alpha: 1}, false)
	tests := []struct {
		name string
		x    sparse
		want []float64
	}{
		{"feature 0", sparse{idx: []int32{0}, val: []float32{2}}, []float64{2 * (math.Log(2) - math.Log(3)), 2 * (math.Log(1) - math.Log(5))}},
		{"feature 1", sparse{idx: []int32{1}, val: []float32{1}}, []float64{math.Log(1) - math.Log(3), math.Log(4) - math.Log(5)}},
		{"both", sparse{idx: []int32{0, 1}, val: []float32{1, 1}}, []float64{math.Log(2) - 2*math.Log(3), math.Log(4) - 2*math.Log(5)}},
	}
	for _, tt := range tests {
		got := make([]float64, 2)
		m.scores(tt.x, got)
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-5 })); diff != "" {
			t.Errorf("%s: scores (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFitScalesRecoversTheTemperature(t *testing.T) {
	t.Parallel()
	// Truths drawn from softmax(4·svm): the fitted SVM weight is near 4 and the uninformative
	// naive Bayes scores get a small weight.
	rng := rand.New(rand.NewPCG(3, 4))
	const nClass = 6
	var hs []HeldOut
	p := make([]float64, nClass)
	for range 4000 {
		h := HeldOut{svm: make([]float32, nClass), nb: make([]float32, nClass)}
		for c := range p {
			h.svm[c] = float32(rng.NormFloat64())
			h.nb[c] = float32(rng.NormFloat64())
			p[c] = 4 * float64(h.svm[c])
		}
		softmax(p)
		u, acc := rng.Float64(), 0.0
		for c, v := range p {
			if acc += v; u < acc || c == nClass-1 {
				h.truth = c
				break
			}
		}
		hs = append(hs, h)
	}
	got := FitScales(hs)
	if got[0] < 3.6 || got[0] > 4.4 || got[1] > 0.3 {
		t.Errorf("FitScales = %.3f, want about [4 0]", got)
	}
	if got := FitScales(hs[:minCalibration-1]); got != defaultScale {
		t.Errorf("FitScales(too few) = %v, want defaultScale %v", got, defaultScale)
	}
}

func TestMatcherAsksBetweenTwoCloseEntriesOnly(t *testing.T) {
	t.Parallel()
	// Two entries share every phrasing: the third must fall away, so the two close ones
	// together carry nearly all the probability.
	ps := append([]Phrasing(nil), toyPhrasings[:9]...)
	for _, p := range toyPhrasings[:3] {
		ps = append(ps, Phrasing{Text: p.Text, Lang: p.Lang, Class: 3})
	}
	m := Train(DefaultConfig(), ps, 4)
	top := m.Rank("where is my parcel", nlp.English, 3)
	if len(top) < 3 || top[0].Prob+top[1].Prob < 0.9 || top[1].Prob < 0.6*top[0].Prob {
		t.Errorf("rank = %+v, want parcel entries 0 and 3 close together with ≥ 0.9 of the probability", top)
	}
	if got := []int{top[0].Class, top[1].Class}; !cmp.Equal(got, []int{0, 3}, cmpSortedInts) {
		t.Errorf("top two classes = %v, want 0 and 3", got)
	}
}

var cmpSortedInts = cmp.Transformer("sort", func(in []int) []int {
	out := append([]int(nil), in...)
	if len(out) == 2 && out[0] > out[1] {
		out[0], out[1] = out[1], out[0]
	}
	return out
})
