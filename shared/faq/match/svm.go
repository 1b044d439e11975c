package match

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// SVM tunes the multi-class linear SVM.
type SVM struct {
	C       float64 // cost of a margin violation (larger: less regularisation)
	Eps     float64 // stop when no example violates optimality by more than this
	MaxIter int     // passes over the data at most
	Seed    uint64  // of the order the examples are visited in
}

var defaultSVM = SVM{C: 1, Eps: 0.1, MaxIter: 100, Seed: 1}

// trainSVM fits a Crammer–Singer multi-class linear SVM: one weight vector per class, trained
// jointly so that each phrasing's class outscores every other class by a margin of 1 (hinge
// loss, L2). It solves the dual by the sequential dual method of Keerthi et al. (KDD 2008;
// LIBLINEAR's solver 4), one example's subproblem at a time in a seeded order: deterministic.
// The bias is a constant feature 1, regularised like the others. Label -1 marks an
// out-of-scope negative: those train one extra class that is dropped afterwards, so they push
// the scores of the real classes down where out-of-scope words occur.
// With keepNone the extra class is kept as the last.
func trainSVM(xs []sparse, ys []int, nClass, nFeat int, cfg SVM, keepNone bool) *linearModel {
	K := nClass + 1 // the extra class of the negatives
	// W is feature-major, the bias feature last: the scores of one example read contiguous
	// rows. float32 halves the memory traffic that dominates training.
	W := make([]float32, (nFeat+1)*K)
	alpha := make([]float64, len(xs)*K)
	qii := make([]float64, len(xs))
	for i, x := range xs {
		q := 1.0
		for _, v := range x.val {
			q += float64(v) * float64(v)
		}
		qii[i] = q
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 3))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	G := make([]float64, K)
	B := make([]float64, K)
	D := make([]float64, K)
	newA := make([]float64, K)
	biasRow := W[nFeat*K:]
	for range cfg.MaxIter {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		maxViol := 0.0
		for _, i := range order {
			x := xs[i]
			y := ys[i]
			if y < 0 {
				y = nClass
			}
			a := alpha[i*K : (i+1)*K]
			// G_m: the gradient of the dual in α_m, w_m·x + [m ≠ y].
			for m, w := range biasRow {
				G[m] = float64(w)
			}
			for k, j := range x.idx {
				row := W[int(j)*K : int(j+1)*K]
				v := x.val[k]
				for m, w := range row {
					G[m] += float64(w * v)
				}
			}
			for m := range G {
				if m != y {
					G[m]++
				}
			}
			// Optimality: no α that may grow (α_y < C, α_m < 0) has a smaller gradient than
			// the largest.
			minG, maxG := math.Inf(1), math.Inf(-1)
			for m, g := range G {
				if a[m] < 0 || (m == y && a[m] < cfg.C) {
					minG = min(minG, g)
				}
				maxG = max(maxG, g)
			}
			if maxG-minG <= 1e-12 {
				continue
			}
			maxViol = max(maxViol, maxG-minG)
			// The subproblem min Σ ½Aα_m² + B_m α_m s.t. α_m ≤ C·[m = y], Σ α_m = 0 has the
			// solution α_m = min(bound_m, (β − B_m)/A); β by the sort of Crammer and Singer.
			A := qii[i]
			for m := range B {
				B[m] = G[m] - A*a[m]
			}
			copy(D, B)
			D[y] += A * cfg.C
			slices.SortFunc(D, func(p, q float64) int { return cmp.Compare(q, p) })
			beta := D[0] - A*cfg.C
			r := 1
			for ; r < K && beta < float64(r)*D[r]; r++ {
				beta += D[r]
			}
			beta /= float64(r)
			for m := range newA {
				bound := 0.0
				if m == y {
					bound = cfg.C
				}
				newA[m] = min(bound, (beta-B[m])/A)
			}
			for m, na := range newA {
				d := na - a[m]
				if math.Abs(d) <= 1e-12 {
					continue
				}
				a[m] = na
				for k, j := range x.idx {
					W[int(j)*K+m] += float32(d) * x.val[k]
				}
				biasRow[m] += float32(d)
			}
		}
		if maxViol < cfg.Eps {
			break
		}
	}
	n := nClass
	if keepNone {
		n = K
	}
	out := make([]float32, nFeat*n)
	for j := range nFeat {
		copy(out[j*n:(j+1)*n], W[j*K:j*K+n])
	}
	return sparsify(out, slices.Clone(biasRow[:n]), n, nFeat, pruneEps)
}
