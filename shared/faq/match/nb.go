package match

import "math"

// NB tunes the naive Bayes model.
type NB struct {
	Alpha float64 // additive (Lidstone) smoothing of the feature weights per class
}

var defaultNB = NB{Alpha: 0.01}

// trainNB fits multinomial naive Bayes over the TF-IDF vectors (the TWCNB family of Rennie et
// al., ICML 2003, without the complement): with n_cj the summed weight of feature j in the
// phrasings of class c, N_c = Σ_j n_cj and J features, log P(j|c) = log(α + n_cj) − log(αJ + N_c).
// A text's score for c is Σ_j x_j log P(j|c) (uniform class prior). Stored sparse as
// Σ_j x_j log(1 + n_cj/α) + ‖x‖₁ (log α − log(αJ + N_c)): the first term is zero where class c
// never saw feature j. With keepNone the out-of-scope negatives train one more class, the
// last; otherwise they are not used.
func trainNB(xs []sparse, ys []int, nClass, nFeat int, cfg NB, keepNone bool) *linearModel {
	if keepNone {
		nClass++
	}
	n := make([]float32, nFeat*nClass) // feature-major
	N := make([]float64, nClass)
	for i, x := range xs {
		c := ys[i]
		if c < 0 {
			if !keepNone {
				continue
			}
			c = nClass - 1
		}
		for k, j := range x.idx {
			n[int(j)*nClass+c] += x.val[k]
			N[c] += float64(x.val[k])
		}
	}
	for k, v := range n {
		if v > 0 {
			n[k] = float32(math.Log1p(float64(v) / cfg.Alpha))
		}
	}
	l1 := make([]float32, nClass)
	for c := range l1 {
		l1[c] = float32(math.Log(cfg.Alpha) - math.Log(cfg.Alpha*float64(nFeat)+N[c]))
	}
	m := sparsify(n, make([]float32, nClass), nClass, nFeat, pruneEps)
	m.l1 = l1
	return m
}
