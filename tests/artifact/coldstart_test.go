//go:build linux

package artifact_test

import (
	"bytes"
	"net/http"
	"os"
	"testing"
	"time"
)

// coldStartEvents is the event of each function's first invocation in BenchmarkColdStart: one
// that needs no I/O, so the number is the emulator's start, the function's init and one
// round trip through the runtime API, as for the hello-world baseline. A file name means
// events/<function>/<name>.json.
var coldStartEvents = map[string]struct{ file, inline string }{
	"meta-webhook": {file: "verify_good"},
	"bot":          {inline: `{"Records":[]}`},
	"consent":      {file: "post-consent-bad-key"},
	"slack":        {file: "url_verification"},
	// The sweeper has no event without I/O: its run lists two statuses on moto.
	"sweeper": {file: "scheduled"},
}

// BenchmarkColdStart measures, for every bootstrap and a hello-world Go function built the
// same way in the same run, the time from starting the emulator to the first invocation's
// answer (ns/op), its ratio to hello-world (x-hello), and the binary's size (bytes).
//
//	go test -bench ColdStart -run '^$' ./tests/artifact
func BenchmarkColdStart(b *testing.B) {
	bins := artifacts(b)
	var hello float64 // ns per cold start of hello-world, from its sub-benchmark
	run := func(b *testing.B, fn, bootstrap string, event []byte) float64 {
		b.Helper()
		r := prepareRig(b, fn, nil)
		fi, err := os.Stat(bootstrap)
		if err != nil {
			b.Fatal(err)
		}
		var total time.Duration
		b.ResetTimer()
		for range b.N {
			start := time.Now()
			p := launch(b, bins.rie, bootstrap, fn, r.environ)
			p.invokeWhenUp(b, event)
			total += time.Since(start)
			b.StopTimer()
			p.stop()
			b.StartTimer()
		}
		b.StopTimer()
		if stray := r.trap.requests(); len(stray) > 0 {
			b.Errorf("requests outside the fakes and moto: %q", stray)
		}
		ns := float64(total.Nanoseconds()) / float64(b.N)
		b.ReportMetric(float64(fi.Size()), "bytes")
		return ns
	}
	b.Run("hello", func(b *testing.B) {
		hello = run(b, "hello", bins.hello, []byte(`{}`))
	})
	for _, fn := range bins.functions() {
		b.Run(fn, func(b *testing.B) {
			ev, ok := coldStartEvents[fn]
			if !ok {
				b.Fatalf("%s has no entry in coldStartEvents", fn)
			}
			event := []byte(ev.inline)
			if ev.file != "" {
				event = readEvent(b, bins.root, fn, ev.file)
				if p := suites[fn].prepare; p != nil {
					event = p(b, event)
				}
			}
			ns := run(b, fn, bins.bootstrap[fn], event)
			if hello > 0 {
				b.ReportMetric(ns/hello, "x-hello")
			}
		})
	}
}

// invokeWhenUp invokes the function as soon as the emulator accepts the connection, polling
// every millisecond, so the time measured is the start-up and not a fixed wait.
func (p *lambdaProc) invokeWhenUp(tb testing.TB, event []byte) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := p.client.Post("http://"+p.addr+invokePath, "application/json", bytes.NewReader(event))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				tb.Fatalf("%s: emulator answered %s", p.name, resp.Status)
			}
			return
		}
		select {
		case <-p.exited:
			tb.Fatalf("%s: the emulator exited:\n%s", p.name, p.log.tail(16<<10))
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: no answer after 30s: %v", p.name, err)
		}
	}
}
