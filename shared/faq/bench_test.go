package faq

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
	"github.com/frontdesk-app/frontdesk/shared/faq/match"
)

// benchPhrasings returns a 15,000-phrasing training set: CLINC150's train split when
// FAQ_DATASETS names the shared datasets folder, else a synthetic one of the same shape
// (150 classes × 100 phrasings of 5–12 words).
func benchPhrasings(b *testing.B) ([]match.Phrasing, int, []string) {
	b.Helper()
	if dir := os.Getenv("FAQ_DATASETS"); dir != "" {
		ex, err := ReadExamplesFile(filepath.Join(dir, "clinc150", "train.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		labels, ps := phrasingsFromExamples(ex, nil)
		var queries []string
		for i := range ps {
			ps[i].Lang = English
			if i%50 == 0 {
				queries = append(queries, ps[i].Text)
			}
		}
		return ps, len(labels), queries
	}
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 6000)
	for i := range vocab {
		var w strings.Builder
		for range 3 + rng.IntN(7) {
			w.WriteByte(byte('a' + rng.IntN(26)))
		}
		vocab[i] = w.String()
	}
	var ps []match.Phrasing
	var queries []string
	for c := range 150 {
		topic := vocab[c*20 : c*20+20]
		for range 100 {
			n := 5 + rng.IntN(8)
			words := make([]string, n)
			for k := range words {
				if rng.IntN(2) == 0 {
					words[k] = topic[rng.IntN(len(topic))]
				} else {
					words[k] = vocab[3000+rng.IntN(3000)]
				}
			}
			ps = append(ps, match.Phrasing{Text: strings.Join(words, " "), Lang: English, Class: c})
		}
		queries = append(queries, ps[len(ps)-1].Text)
	}
	return ps, 150, queries
}

// BenchmarkMatch15k measures one query against a matcher trained on 15,000 phrasings.
func BenchmarkMatch15k(b *testing.B) {
	ps, n, queries := benchPhrasings(b)
	m := match.Train(match.DefaultConfig(), ps, n)
	pol := decide.NewPolicy(0.1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pol.Decide(m.Rank(queries[i%len(queries)], English, 3))
	}
}

// BenchmarkTrain15k measures training the matcher on 15,000 phrasings (no cross-validation).
func BenchmarkTrain15k(b *testing.B) {
	ps, n, _ := benchPhrasings(b)
	for b.Loop() {
		match.Train(match.DefaultConfig(), ps, n)
	}
}

// BenchmarkLoadModel15k measures decoding a precomputed 15,000-phrasing model: the cold-start
// cost of a bot with a model built by "frontdesk faq build".
func BenchmarkLoadModel15k(b *testing.B) {
	ps, n, _ := benchPhrasings(b)
	classes := make([]string, n)
	for c := range classes {
		classes[c] = fmt.Sprint("intent-", c)
	}
	m := &Model{Classes: classes, Policy: decide.NewPolicy(0.1), matcher: match.Train(match.DefaultConfig(), ps, n)}
	raw, err := m.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := UnmarshalModel(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefaultBot measures the cold start of the sample bot: parse the embedded KB, decode
// its precomputed model.
func BenchmarkDefaultBot(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildSample measures what Default avoids: training and cross-validating the sample KB.
func BenchmarkBuildSample(b *testing.B) {
	kb, err := SampleKB()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Build(kb); err != nil {
			b.Fatal(err)
		}
	}
}
