package match

import "math"

// linearModel is a linear scorer over the vocab's columns, stored feature-major and sparse:
// the weights of column j are w[start[j]:start[j+1]] for classes cls[start[j]:start[j+1]].
type linearModel struct {
	nClass int
	start  []int32
	cls    []uint16
	w      []float32
	bias   []float32
	// l1, when set, adds l1[c]·‖x‖₁ to the score of class c (naive Bayes' normaliser).
	l1 []float32
}

// sparsify keeps the weights with |w| ≥ eps times the largest weight.
func sparsify(W, bias []float32, nClass, nFeat int, eps float32) *linearModel {
	var maxW float32
	for _, v := range W {
		if v < 0 {
			v = -v
		}
		maxW = max(maxW, v)
	}
	cut := eps * maxW
	m := &linearModel{nClass: nClass, bias: bias, start: make([]int32, nFeat+1)}
	for j := 0; j < nFeat; j++ {
		for c, v := range W[j*nClass : (j+1)*nClass] {
			if v >= cut || v <= -cut {
				m.cls = append(m.cls, uint16(c))
				m.w = append(m.w, v)
			}
		}
		m.start[j+1] = int32(len(m.w))
	}
	return m
}

// scores writes the logits of x into z (len nClass).
func (m *linearModel) scores(x sparse, z []float64) {
	for c := range z {
		z[c] = float64(m.bias[c])
	}
	if m.l1 != nil {
		norm := 0.0
		for _, v := range x.val {
			norm += math.Abs(float64(v))
		}
		for c := range z {
			z[c] += norm * float64(m.l1[c])
		}
	}
	for k, j := range x.idx {
		xv := float64(x.val[k])
		for p := m.start[j]; p < m.start[j+1]; p++ {
			z[m.cls[p]] += xv * float64(m.w[p])
		}
	}
}

// softmax turns z into probabilities in place.
func softmax(z []float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = max(mx, v)
	}
	sum := 0.0
	for c, v := range z {
		e := math.Exp(v - mx)
		z[c] = e
		sum += e
	}
	for c := range z {
		z[c] /= sum
	}
}

// pruneEps drops weights below this share of the largest one: it shrinks the model (and its
// load time) without measurably changing the rankings.
var pruneEps float32 = 5e-3
