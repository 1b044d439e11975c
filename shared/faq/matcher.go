package faq

import (
	"cmp"
	"slices"
)

// Phrasing is one training text of a class (a KB entry or an eval intent).
type Phrasing struct {
	Text  string
	Lang  string
	Class int // index into the matcher's classes; -1 for an out-of-scope negative
}

// matcherConfig gathers everything that shapes a matcher.
type matcherConfig struct {
	Features featureConfig
	Train    trainConfig
	// KNNWeight blends the nearest training phrasing's cosine into the class score.
	KNNWeight float64
}

var defaultMatcher = matcherConfig{Features: defaultFeatures, Train: defaultTrain}

// Matcher scores a text against classes: a linear model over TF-IDF features, calibrated by a
// softmax temperature. It is safe for concurrent use.
type Matcher struct {
	cfg     matcherConfig
	voc     *vocab
	lr      *linearModel
	nClass  int
	invTemp float64
}

// Scored is a class with its calibrated probability.
type Scored struct {
	Class int
	Prob  float64
}

// trainMatcher builds a matcher for nClass classes from the phrasings.
func trainMatcher(cfg matcherConfig, ps []Phrasing, nClass int) *Matcher {
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
	lr := trainLR(xs, ys, nClass, len(voc.idf), cfg.Train)
	return &Matcher{cfg: cfg, voc: voc, lr: lr, nClass: nClass, invTemp: 1}
}

// probs returns the calibrated class probabilities of text read in lang.
func (m *Matcher) probs(text, lang string) []float64 {
	x := m.voc.vectorize(m.cfg.Features.extract(nil, text, lang))
	z := make([]float64, m.nClass)
	m.lr.scores(x, z)
	if m.invTemp != 1 {
		for c := range z {
			z[c] *= m.invTemp
		}
	}
	softmax(z)
	return z
}

// rank returns the k most probable classes, best first.
func (m *Matcher) rank(text, lang string, k int) []Scored {
	p := m.probs(text, lang)
	return topK(p, k)
}

func topK(p []float64, k int) []Scored {
	out := make([]Scored, 0, k+1)
	for c, v := range p {
		if len(out) == k && v <= out[k-1].Prob {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, v, func(s Scored, v float64) int { return cmp.Compare(v, s.Prob) })
		out = slices.Insert(out, i, Scored{c, v})
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}
