package match

import (
	"cmp"
	"math"
	"slices"

	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
)

// Phrasing is one training text of a class.
type Phrasing struct {
	Text  string
	Lang  string // nlp.German or nlp.English: the stems the text is read with
	Class int    // index into the matcher's classes; -1 for an out-of-scope negative
	// Background marks a negative from the shipped background (Background), not from the
	// caller's data.
	Background bool
	// Answer marks a text that describes its class rather than asks for it (a KB entry's
	// answer): a cross-validation trains on it and never holds it out as a question.
	Answer bool
}

// Config gathers everything that shapes a matcher. DefaultConfig is the tuned one; the
// benchmarks of package faq switch its knobs one at a time.
type Config struct {
	Features Features
	SVM      SVM
	NB       NB
	// Background adds the shipped background messages (background.go) to the negatives
	// (Config.WithBackground).
	Background bool
	// NoneClass keeps the negatives' class in the softmax: the classes' probabilities then
	// leave room for "none of them".
	NoneClass bool
	// Lexicon adds the synonym groups of the embedded lexicon as features.
	Lexicon bool
}

// DefaultConfig returns the matcher's tuned settings (see docs/faq.md for what each is worth).
func DefaultConfig() Config {
	return Config{Features: defaultFeatures, SVM: defaultSVM, NB: defaultNB, Background: true, NoneClass: true, Lexicon: true}
}

// Matcher scores a text against classes with two linear models over the same TF-IDF features:
// a Crammer–Singer SVM and multinomial naive Bayes. Their scores are added with calibrated
// weights and turned into probabilities by a softmax. It is safe for concurrent use.
type Matcher struct {
	cfg    Config
	voc    *vocab
	svm    *linearModel
	nb     *linearModel
	nClass int
	// none says the models score one more class after the entries: out of scope.
	none bool
	// scale weighs the two models' scores (SVM, naive Bayes) before the softmax; FitScales
	// chooses it on held-out predictions.
	scale [2]float64
}

// defaultScale weighs the models' scores when there are too few held-out predictions to fit
// the weights (the fitted ones are near it).
var defaultScale = [2]float64{7, 0.2}

// Train builds a matcher for nClass classes from the phrasings.
func Train(cfg Config, ps []Phrasing, nClass int) *Matcher {
	if cfg.Lexicon && cfg.Features.lex == nil {
		cfg.Features.lex = fullLexicon()
	}
	texts := make([]string, len(ps))
	langs := make([]string, len(ps))
	for i, p := range ps {
		texts[i], langs[i] = p.Text, p.Lang
	}
	voc, raws := buildVocab(cfg.Features, texts, langs)
	xs := make([]sparse, len(ps))
	ys := make([]int, len(ps))
	for i := range ps {
		xs[i] = voc.vectorize(raws[i])
		ys[i] = ps[i].Class
	}
	none := false
	if cfg.NoneClass {
		for _, y := range ys {
			none = none || y < 0
		}
	}
	return &Matcher{
		cfg: cfg, voc: voc, nClass: nClass, scale: defaultScale, none: none,
		svm: trainSVM(xs, ys, nClass, len(voc.idf), cfg.SVM, none),
		nb:  trainNB(xs, ys, nClass, len(voc.idf), cfg.NB, none),
	}
}

// functionBlockMaxPhrasings: a KB with fewer in-scope phrasings puts function words in a
// block of their own (Features.FunctionBlock). A small KB cannot learn that "habt ihr"
// says nothing about the topic; a large one learns what function words do say ("how do I" vs
// "what is my" on CLINC150, where the block cost 1.8 points of top-1).
const functionBlockMaxPhrasings = 2000

// Sized adapts cfg to the size of the training phrasings.
func (cfg Config) Sized(ps []Phrasing) Config {
	n := 0
	for _, p := range ps {
		if p.Class >= 0 {
			n++
		}
	}
	cfg.Features.FunctionBlock = cfg.Features.FunctionBlock && n < functionBlockMaxPhrasings
	return cfg
}

// WithBackground returns ps with the background messages added when cfg asks for them (ps is
// not modified).
func (cfg Config) WithBackground(ps []Phrasing) []Phrasing {
	if !cfg.Background {
		return ps
	}
	return append(slices.Clip(ps), background()...)
}

// Classes is the number of classes the matcher ranks.
func (m *Matcher) Classes() int { return m.nClass }

// Scales are the weights of the two models' scores (SVM, naive Bayes) before the softmax.
func (m *Matcher) Scales() [2]float64 { return m.scale }

// SetScales sets the weights of the two models' scores, as FitScales chose them on held-out
// predictions. Set them before the matcher is shared: it is the one change a trained
// matcher allows.
func (m *Matcher) SetScales(s [2]float64) { m.scale = s }

// scored is the number of classes the models score: the classes, and out of scope when none.
func (m *Matcher) scored() int {
	if m.none {
		return m.nClass + 1
	}
	return m.nClass
}

// scores returns the two models' scores of text read in lang.
func (m *Matcher) scores(text, lang string) (svm, nb []float64) {
	x := m.voc.vectorize(m.cfg.Features.extract(nil, text, lang))
	svm = make([]float64, m.scored())
	nb = make([]float64, m.scored())
	m.svm.scores(x, svm)
	m.nb.scores(x, nb)
	return svm, nb
}

// Probs returns the calibrated probabilities of the classes for text read in lang (without
// the out-of-scope class, so they may sum to less than 1).
func (m *Matcher) Probs(text, lang string) []float64 {
	svm, nb := m.scores(text, lang)
	for c := range svm {
		svm[c] = m.scale[0]*svm[c] + m.scale[1]*nb[c]
	}
	softmax(svm)
	return svm[:m.nClass]
}

// Rank returns the k most probable classes, best first.
func (m *Matcher) Rank(text, lang string, k int) []decide.Scored {
	p := m.Probs(text, lang)
	return TopK(p, k)
}

// TopK returns the k classes of p (probabilities by class) with the highest probabilities,
// best first.
func TopK(p []float64, k int) []decide.Scored {
	out := make([]decide.Scored, 0, k+1)
	for c, v := range p {
		if len(out) == k && v <= out[k-1].Prob {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, v, func(s decide.Scored, v float64) int { return cmp.Compare(v, s.Prob) })
		out = slices.Insert(out, i, decide.Scored{Class: c, Prob: v})
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

// HeldOut holds the two models' scores of a held-out phrasing with its truth (-1: out of
// scope): the material of a cross-validation, for FitScales and Predictions.
type HeldOut struct {
	truth   int
	svm, nb []float32
	// none: the last score is the out-of-scope class's.
	none bool
}

// HoldOut scores a phrasing m was not trained on, whose true class is truth (-1: out of
// scope).
func (m *Matcher) HoldOut(text, lang string, truth int) HeldOut {
	svm, nb := m.scores(text, lang)
	h := HeldOut{truth: truth, svm: make([]float32, len(svm)), nb: make([]float32, len(nb)), none: m.none}
	for c := range svm {
		h.svm[c], h.nb[c] = float32(svm[c]), float32(nb[c])
	}
	return h
}

// Calibration needs at least minCalibration in-scope held-out predictions and uses at most
// maxCalibration of them (evenly spread) to keep fitting fast.
const (
	minCalibration = 30
	maxCalibration = 4000
)

// FitScales chooses the weights of the two models' scores that minimise the negative
// log-likelihood of the in-scope held-out truths: a stacking of the two models that also
// calibrates the softmax (temperature scaling, Guo et al. 2017). The likelihood is concave in
// the weights: coordinate-wise golden-section search on a log scale. With too few held-out
// predictions it returns defaultScale.
func FitScales(hs []HeldOut) [2]float64 {
	var in []HeldOut
	nIn := 0
	for _, h := range hs {
		if h.truth >= 0 {
			in = append(in, h)
			nIn++
		} else if h.none {
			// The out-of-scope class is the truth of a negative.
			h.truth = len(h.svm) - 1
			in = append(in, h)
		}
	}
	if nIn < minCalibration {
		return defaultScale
	}
	if len(in) > maxCalibration {
		step := float64(len(in)) / maxCalibration
		sub := make([]HeldOut, maxCalibration)
		for i := range sub {
			sub[i] = in[int(float64(i)*step)]
		}
		in = sub
	}
	z := make([]float64, len(in[0].svm))
	nll := func(s [2]float64) float64 {
		sum := 0.0
		for _, h := range in {
			mx := math.Inf(-1)
			for c := range z {
				z[c] = s[0]*float64(h.svm[c]) + s[1]*float64(h.nb[c])
				mx = max(mx, z[c])
			}
			e := 0.0
			for _, v := range z {
				e += math.Exp(v - mx)
			}
			sum += math.Log(e) - (z[h.truth] - mx)
		}
		return sum
	}
	s := defaultScale
	for range 3 {
		for k := range s {
			s[k] = goldenMin(math.Log(1.0/64), math.Log(256), func(logv float64) float64 {
				t := s
				t[k] = math.Exp(logv)
				return nll(t)
			})
		}
	}
	return s
}

// goldenMin returns exp of the minimiser of the unimodal f over [lo, hi] (golden-section
// search, 24 steps: the interval shrinks by 10^5).
func goldenMin(lo, hi float64, f func(float64) float64) float64 {
	const phi = 0.6180339887498949
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := f(a), f(b)
	for range 24 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = f(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = f(b)
		}
	}
	return math.Exp((lo + hi) / 2)
}

// predictions combines held-out scores with the weights s and ranks them (top 3).
func Predictions(hs []HeldOut, s [2]float64) []decide.Prediction {
	out := make([]decide.Prediction, len(hs))
	var z []float64
	for i, h := range hs {
		z = z[:0]
		for c := range h.svm {
			z = append(z, s[0]*float64(h.svm[c])+s[1]*float64(h.nb[c]))
		}
		softmax(z)
		if h.none {
			z = z[:len(z)-1]
		}
		out[i] = decide.Prediction{Truth: h.truth, Top: TopK(z, 3)}
	}
	return out
}
