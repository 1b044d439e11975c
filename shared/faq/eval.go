package faq

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
	"github.com/frontdesk-app/frontdesk/shared/faq/match"
)

// Example is one line of an evaluation file: {"text": "...", "intent": "label"}, with a null
// intent for an out-of-scope query.
type Example struct {
	Text   string  `json:"text"`
	Intent *string `json:"intent"`
}

// OOS reports whether the example is out of scope.
func (e Example) OOS() bool { return e.Intent == nil || *e.Intent == "" }

// ReadExamples reads JSON lines from r; name is used in errors.
func ReadExamples(r io.Reader, name string) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var e Example
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// ReadExamplesFile reads a JSON-lines file.
func ReadExamplesFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadExamples(f, path)
}

// Report is the result of an evaluation; its JSON form is the evaluation contract.
type Report struct {
	NTest            int        `json:"n_test"`
	Top1Accuracy     float64    `json:"top1_accuracy"`
	InScopeAccuracy  float64    `json:"in_scope_accuracy"`
	OOSRecall        float64    `json:"oos_recall"`
	OOSPrecision     float64    `json:"oos_precision"`
	Accuracy         float64    `json:"accuracy"`
	MCC              float64    `json:"mcc"`
	BestMCC          float64    `json:"best_mcc"`
	BestMCCThreshold float64    `json:"best_mcc_threshold"`
	AskBackRate      float64    `json:"ask_back_rate"`
	BuildMS          float64    `json:"build_ms"`
	P50US            float64    `json:"p50_us"`
	P99US            float64    `json:"p99_us"`
	HeapMB           float64    `json:"heap_mb"`
	Threshold        float64    `json:"threshold"`
	ThresholdFrom    string     `json:"threshold_from"`
	ScoreWeights     [2]float64 `json:"score_weights"`
	NInScope         int        `json:"n_in_scope"`
	NOOS             int        `json:"n_oos"`
	// InScopeResolved is the share of in-scope queries answered right or asked back with the
	// right entry among the options (in_scope_accuracy counts an ask-back as not answered).
	InScopeResolved float64 `json:"in_scope_resolved"`
}

// prediction is the matcher's view of one query (its truth: class, or -1 out of scope; its
// ranking) and the policy's outcome on it.
type prediction struct {
	decide.Prediction
	outcome decide.Outcome
}

// Evaluate trains a bot on train (one KB entry per intent, out-of-scope lines as negatives),
// chooses its thresholds from val when given (else by cross-validation on train), and measures
// it on test.
func Evaluate(train, test, val []Example) (Report, error) {
	return EvaluateContext(context.Background(), train, test, val)
}

// EvaluateContext is Evaluate reporting to the context's Progress (WithProgress).
func EvaluateContext(ctx context.Context, train, test, val []Example) (Report, error) {
	return evaluate(ctx, defaultSettings(), train, test, val)
}

func evaluate(ctx context.Context, s settings, train, test, val []Example) (Report, error) {
	var rep Report
	labels, ps := phrasingsFromExamples(train, nil)
	if len(labels) < 2 {
		return rep, fmt.Errorf("train: need at least 2 intents, have %d", len(labels))
	}
	lang := majorityLanguage(train)
	_, tps := phrasingsFromExamples(test, labels)
	var vps []match.Phrasing
	if len(val) > 0 {
		_, vps = phrasingsFromExamples(val, labels)
	}
	run := evalRun(s, len(labels), lang, ps, tps, vps, progressFrom(ctx))
	rep.BuildMS, rep.HeapMB, rep.Threshold, rep.ThresholdFrom = run.buildMS, run.heapMB, run.pol.Threshold, run.from
	rep.ScoreWeights = run.scale
	fillLatency(&rep, run.lat)
	fillMetrics(&rep, run.preds, len(labels), run.pol)
	return rep, nil
}

// CrossEvaluate measures the bot by k-fold cross-validation over train, stratified by intent:
// each fold is tested once on a bot trained on the other folds (thresholds chosen by
// cross-validation inside those). The predictions of all folds are pooled into one report;
// build time and heap are the folds' means.
func CrossEvaluate(ctx context.Context, train []Example, k int) (Report, error) {
	var rep Report
	labels, ps := phrasingsFromExamples(train, nil)
	if len(labels) < 2 {
		return rep, fmt.Errorf("train: need at least 2 intents, have %d", len(labels))
	}
	if k < 2 || k > len(ps) {
		return rep, fmt.Errorf("cross-validation: want 2 ≤ k ≤ %d, have %d", len(ps), k)
	}
	lang := majorityLanguage(train)
	s := defaultSettings()
	fold := stratifiedFolds(ps, k, s.Seed)
	progress := progressFrom(ctx)
	var preds []prediction
	var lat []float64
	var thresholds float64
	for f := 0; f < k; f++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var tr, te []match.Phrasing
		for i, p := range ps {
			if fold[i] == f {
				te = append(te, p)
			} else {
				tr = append(tr, p)
			}
		}
		progress("fold", f, k)
		run := evalRun(s, len(labels), lang, tr, te, nil, func(string, int, int) {})
		preds = append(preds, run.preds...)
		lat = append(lat, run.lat...)
		rep.BuildMS += run.buildMS / float64(k)
		rep.HeapMB += run.heapMB / float64(k)
		thresholds += run.pol.Threshold / float64(k)
		rep.ScoreWeights[0] += run.scale[0] / float64(k)
		rep.ScoreWeights[1] += run.scale[1] / float64(k)
	}
	progress("fold", k, k)
	rep.Threshold, rep.ThresholdFrom = thresholds, fmt.Sprintf("cv (mean of %d folds)", k)
	fillLatency(&rep, lat)
	fillMetrics(&rep, preds, len(labels), decide.NewPolicy(thresholds))
	return rep, nil
}

// stratifiedFolds deals each class's phrasings (and the negatives) round-robin over k folds
// after a seeded shuffle.
func stratifiedFolds(ps []match.Phrasing, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 11))
	order := rng.Perm(len(ps))
	next := map[int]int{}
	fold := make([]int, len(ps))
	for _, i := range order {
		c := ps[i].Class
		fold[i] = next[c] % k
		next[c]++
	}
	return fold
}

type runResult struct {
	preds           []prediction
	pol             Policy
	from            string
	buildMS, heapMB float64
	scale           [2]float64
	lat             []float64
}

// evalRun trains on tr, chooses the policy from va (or by cross-validation on tr) and decides
// every query of te.
func evalRun(s settings, nClass int, lang string, tr, te, va []match.Phrasing, progress Progress) runResult {
	var res runResult
	for i := range tr {
		tr[i].Lang = lang
	}
	s.Matcher = s.Matcher.Sized(tr)
	tr = s.Matcher.WithBackground(tr)
	debug.FreeOSMemory()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	progress("train", 0, 1)
	m := match.Train(s.Matcher, tr, nClass)
	progress("train", 1, 1)
	res.buildMS = float64(time.Since(t0).Microseconds()) / 1000
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	res.heapMB = max(0, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))
	if len(va) > 0 {
		hs := make([]match.HeldOut, len(va))
		for i, p := range va {
			hs[i] = m.HoldOut(p.Text, lang, p.Class)
		}
		m.SetScales(match.FitScales(hs))
		res.pol, res.from = decide.TuneOnSample(match.Predictions(hs, m.Scales()), nClass), "val"
	} else {
		var scale [2]float64
		res.pol, scale = crossValidatePolicy(s, tr, nClass, cvFolds, progress)
		m.SetScales(scale)
		res.from = "cv"
	}
	res.scale = m.Scales()
	res.preds = make([]prediction, len(te))
	res.lat = make([]float64, len(te))
	for i, p := range te {
		if i%500 == 0 {
			progress("test", i, len(te))
		}
		t := time.Now()
		top := m.Rank(p.Text, lang, 3)
		out := res.pol.Decide(top)
		res.lat[i] = float64(time.Since(t).Nanoseconds()) / 1000
		res.preds[i] = prediction{Prediction: decide.Prediction{Truth: p.Class, Top: top}, outcome: out}
	}
	runtime.KeepAlive(m)
	return res
}

func fillLatency(rep *Report, lat []float64) {
	lat = slices.Clone(lat)
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		rep.P50US = lat[n/2]
		rep.P99US = lat[min(n-1, int(math.Ceil(0.99*float64(n)))-1)]
	}
}

// phrasingsFromExamples maps examples to phrasings. With labels nil it assigns classes in order
// of first appearance and returns the labels; otherwise an intent missing from labels counts
// as out of scope (it cannot be answered).
func phrasingsFromExamples(ex []Example, labels []string) ([]string, []match.Phrasing) {
	fixed := labels != nil
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		index[l] = i
	}
	ps := make([]match.Phrasing, 0, len(ex))
	for _, e := range ex {
		c := -1
		if !e.OOS() {
			j, ok := index[*e.Intent]
			if !ok && !fixed {
				j = len(labels)
				index[*e.Intent] = j
				labels = append(labels, *e.Intent)
				ok = true
			}
			if ok {
				c = j
			}
		}
		ps = append(ps, match.Phrasing{Text: e.Text, Class: c})
	}
	return labels, ps
}

// majorityLanguage is the language most texts are detected in (German when tied).
func majorityLanguage(ex []Example) string {
	n := map[string]int{}
	for _, e := range ex {
		n[DetectLanguage(e.Text)]++
	}
	if n[English] > n[German] {
		return English
	}
	return German
}

// fillMetrics computes the report's rates from the predictions.
func fillMetrics(rep *Report, preds []prediction, nClass int, pol Policy) {
	rep.NTest = len(preds)
	var top1, inOK, inResolved, oosHit, oosPred, correct, askBack int
	truth := make([]int, len(preds))
	guess := make([]int, len(preds))
	for i, p := range preds {
		truth[i] = p.Truth
		g := -1
		if p.outcome.Action == Answer {
			g = p.outcome.Class
		}
		if p.outcome.Action == AskBack {
			askBack++
		}
		guess[i] = g
		if g == -1 {
			oosPred++
		}
		if p.Truth >= 0 {
			rep.NInScope++
			if len(p.Top) > 0 && p.Top[0].Class == p.Truth {
				top1++
			}
			if g == p.Truth {
				inOK++
			}
			if g == p.Truth || (p.outcome.Action == AskBack && slices.Contains(p.outcome.Options, p.Truth)) {
				inResolved++
			}
		} else {
			rep.NOOS++
			if g == -1 {
				oosHit++
			}
		}
		if g == p.Truth {
			correct++
		}
	}
	rep.Top1Accuracy = ratio(top1, rep.NInScope)
	rep.InScopeAccuracy = ratio(inOK, rep.NInScope)
	rep.InScopeResolved = ratio(inResolved, rep.NInScope)
	rep.OOSRecall = ratio(oosHit, rep.NOOS)
	rep.OOSPrecision = ratio(oosHit, oosPred)
	rep.Accuracy = ratio(correct, len(preds))
	rep.AskBackRate = ratio(askBack, len(preds))
	rep.MCC = decide.MCC(truth, guess, nClass)

	// Sweep the answer threshold over the observed confidences.
	confs := make([]float64, 0, len(preds))
	for _, p := range preds {
		if len(p.Top) > 0 {
			confs = append(confs, p.Top[0].Prob)
		}
	}
	slices.Sort(confs)
	confs = slices.Compact(confs)
	step := max(1, len(confs)/400)
	rep.BestMCC = math.Inf(-1)
	for k := 0; k < len(confs); k += step {
		th := confs[k]
		sw := pol
		sw.Threshold = th
		for i, p := range preds {
			guess[i] = -1
			if o := sw.Decide(p.Top); o.Action == Answer {
				guess[i] = o.Class
			}
		}
		if v := decide.MCC(truth, guess, nClass); v > rep.BestMCC {
			rep.BestMCC, rep.BestMCCThreshold = v, th
		}
	}
	if math.IsInf(rep.BestMCC, -1) {
		rep.BestMCC = 0
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
