//go:build linux

package artifact_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

// shopKB is a shop's own knowledge base, not the sample: five entries of a bicycle workshop.
const shopKB = "tests/artifact/testdata/radhaus-kb"

// kbLayer lays out the bot's knowledge base layer for kb (relative to the repository) with
// scripts/kb-layer.sh, the script sam build runs for it, into a folder that stands for /opt in
// Lambda, and returns that folder.
func kbLayer(tb testing.TB, root, kb string) string {
	tb.Helper()
	out := tb.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "kb-layer.sh"), filepath.Join(root, kb), out)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("kb-layer.sh %s: %v\n%s", kb, err, b)
	}
	return out
}

// deployBuildCommand is the command docs/deploy.md gives a shop to build with its own
// knowledge base: the line of a sh block that starts with "KB=" and runs sam build.
func deployBuildCommand(t *testing.T, root string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "docs", "deploy.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "KB=") && strings.HasSuffix(line, " sam build") {
			return line
		}
	}
	t.Fatal("docs/deploy.md has no `KB=<folder> sam build` command")
	return ""
}

// TestBotAnswersFromShopKB follows docs/deploy.md with a shop's own knowledge base: its
// `KB=<folder> sam build` builds the KnowledgeBase layer (faq check, then the model), and the
// built bot bootstrap, with FAQ_KB where the template points it (/opt/kb, here the built
// layer), answers a customer's question from that KB. A knowledge base with a bad entry fails
// the build.
func TestBotAnswersFromShopKB(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	sam := filepath.Join(bins.root, ".tools", "venv", "bin", "sam")
	if _, err := os.Stat(sam); err != nil {
		t.Fatalf("%s: %v (run scripts/tools.sh, as make test does)", sam, err)
	}
	cmdline := deployBuildCommand(t, bins.root)
	env, rest, _ := strings.Cut(cmdline, " ")
	if !strings.HasPrefix(rest, "sam build") {
		t.Fatalf("docs/deploy.md: %q does not run sam build", cmdline)
	}
	// The doc's command for the layer alone, into this test's folder.
	build := func(kb string) (string, []byte, error) {
		dir := t.TempDir()
		args := append(strings.Fields(strings.TrimPrefix(rest, "sam ")), "KnowledgeBase", "--template-file", "template.yaml", "--build-dir", dir)
		cmd := exec.Command(sam, args...)
		cmd.Dir = bins.root
		cmd.Env = append(os.Environ(), "KB="+kb, "SAM_CLI_TELEMETRY=0", "AWS_DEFAULT_REGION=us-east-1")
		out, err := cmd.CombinedOutput()
		return filepath.Join(dir, "KnowledgeBase"), out, err
	}
	if !strings.HasPrefix(env, "KB=") {
		t.Fatalf("docs/deploy.md: %q does not set KB", cmdline)
	}
	// A bad entry fails the layer's build (the Makefile sam build runs, run here directly).
	bad := exec.Command("make", "-f", filepath.Join("layers", "kb", "Makefile"), "build-KnowledgeBase",
		"KB=cmd/frontdesk/testdata/bad-kb.yaml", "ARTIFACTS_DIR="+t.TempDir())
	bad.Dir = bins.root
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "answer missing") {
		t.Errorf("the layer's build with a bad knowledge base: err %v, output without the problem:\n%s", err, out)
	}
	layer, out, err := build(shopKB)
	if err != nil {
		t.Fatalf("KB=%s sam build KnowledgeBase: %v\n%s", shopKB, err, out)
	}
	for _, f := range []string{"kb/faq.yaml", "kb.model"} {
		if _, err := os.Stat(filepath.Join(layer, f)); err != nil {
			t.Fatalf("the layer lacks %s: %v", f, err)
		}
	}

	r := prepareRig(t, "bot", map[string]string{"FAQ_KB": filepath.Join(layer, "kb")})
	start := time.Now()
	r.proc = launch(t, bins.rie, bins.bootstrap["bot"], "bot", r.environ)
	r.proc.waitReady(t)
	event := readEvent(t, bins.root, "bot", "sqs-whatsapp-text")
	event = bytes.Replace(event, []byte(`Ich habe mein Passwort vergessen`), []byte(`Habt ihr samstags auf?`), 1)
	if !json.Valid(event) {
		t.Fatal("event is not JSON")
	}
	got := r.invoke(t, sqsBatch, freshInbound(t, event))
	t.Logf("cold start and first answer with the shop's KB: %s", time.Since(start).Round(time.Millisecond))
	if len(got.batch.BatchItemFailures) > 0 {
		t.Fatalf("batch failures %+v", got.batch.BatchItemFailures)
	}
	if len(got.graph) != 1 {
		t.Fatalf("Graph calls %d, want the one answer", len(got.graph))
	}
	kb, err := faq.LoadKB(filepath.Join(bins.root, shopKB))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := kb.Entry("opening-hours")
	if !ok {
		t.Fatal("the shop's KB has no opening-hours entry")
	}
	answer, _ := e.AnswerIn("de")
	checkWhatsAppText(t, got.graph[0], customer.User, answer)
}

// BenchmarkColdStartShopKB measures the bot's cold start with a shop's own knowledge base in
// its layer (model trained at build time): from starting the emulator to the answer of an
// empty batch.
//
//	go test -bench ColdStartShopKB -run '^$' ./tests/artifact
func BenchmarkColdStartShopKB(b *testing.B) {
	bins := artifacts(b)
	layer := kbLayer(b, bins.root, shopKB)
	r := prepareRig(b, "bot", map[string]string{"FAQ_KB": filepath.Join(layer, "kb")})
	b.ResetTimer()
	for range b.N {
		p := launch(b, bins.rie, bins.bootstrap["bot"], "bot", r.environ)
		p.invokeWhenUp(b, []byte(`{"Records":[]}`))
		b.StopTimer()
		p.stop()
		b.StartTimer()
	}
}
