package faq

import (
	"math"
	"math/rand/v2"
)

// trainConfig tunes the multinomial logistic regression.
type trainConfig struct {
	Epochs int
	Lambda float64 // L2 regularisation per example
	Eta0   float64 // initial learning rate
	Decay  float64 // the learning rate of epoch e is Eta0/(1+Decay·e)
	Seed   uint64
}

var defaultTrain = trainConfig{Epochs: 12, Lambda: 5e-6, Eta0: 1, Decay: 0, Seed: 1}

// linearModel is a linear scorer over the vocab's columns, stored feature-major and sparse:
// the weights of column j are w[start[j]:start[j+1]] for classes cls[start[j]:start[j+1]].
type linearModel struct {
	nClass int
	start  []int32
	cls    []uint16
	w      []float32
	bias   []float32
}

// trainLR fits softmax regression by SGD (Bottou's schedule η = η0/(1+η0·λ·t), L2 by weight
// scaling). Label -1 marks an out-of-scope negative: its target is the uniform distribution.
func trainLR(xs []sparse, ys []int, nClass, nFeat int, cfg trainConfig) *linearModel {
	W := make([]float32, nFeat*nClass) // feature-major
	bias := make([]float32, nClass)
	avgW := make([]float32, len(W))
	avgB := make([]float32, nClass)
	nAvg := 0
	scale := 1.0
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	z := make([]float64, nClass)
	t := 0.0
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		epochEta := cfg.Eta0 / (1 + cfg.Decay*float64(epoch))
		for _, i := range order {
			x, y := xs[i], ys[i]
			eta := epochEta / (1 + epochEta*cfg.Lambda*t)
			t++
			for c := range z {
				z[c] = float64(bias[c])
			}
			for k, j := range x.idx {
				row := W[int(j)*nClass : int(j+1)*nClass]
				xv := float64(x.val[k]) * scale
				for c, wv := range row {
					z[c] += xv * float64(wv)
				}
			}
			softmax(z)
			for c := range z {
				target := 0.0
				switch {
				case y < 0:
					target = 1 / float64(nClass)
				case c == y:
					target = 1
				}
				z[c] -= target // gradient of the loss in z
			}
			scale *= 1 - eta*cfg.Lambda
			if scale < 1e-6 {
				for k := range W {
					W[k] *= float32(scale)
				}
				scale = 1
			}
			step := eta / scale
			for k, j := range x.idx {
				row := W[int(j)*nClass : int(j+1)*nClass]
				xv := float64(x.val[k]) * step
				for c, g := range z {
					row[c] -= float32(g * xv)
				}
			}
			for c, g := range z {
				bias[c] -= float32(g * eta * 0.1)
			}
		}
		// Average the weights at the ends of the later epochs (Polyak averaging): SGD's last
		// steps are noisy, most on small knowledge bases.
		if epoch >= cfg.Epochs/2 {
			for k, v := range W {
				avgW[k] += v * float32(scale)
			}
			for c, v := range bias {
				avgB[c] += v
			}
			nAvg++
		}
	}
	for k := range avgW {
		avgW[k] /= float32(nAvg)
	}
	for c := range avgB {
		avgB[c] /= float32(nAvg)
	}
	return sparsify(avgW, avgB, nClass, nFeat, pruneEps)
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
