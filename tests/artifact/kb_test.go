//go:build linux

package artifact_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

// shopKB is a shop's own knowledge base, not the sample: five entries of a bicycle workshop.
const shopKB = "tests/artifact/testdata/radhaus-kb"

// kbLayer lays out the bot's knowledge base layer for kb (relative to the repository) with
// scripts/kb-layer.sh, as `make kb` does before `sam build`, into a folder that stands for
// /opt in Lambda, and returns that folder.
func kbLayer(tb testing.TB, root, kb string) string {
	tb.Helper()
	out := tb.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "kb-layer.sh"), filepath.Join(root, kb), out)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("kb-layer.sh %s: %v\n%s", kb, err, b)
	}
	return out
}

// deployKBCommand is the command docs/deploy.md gives a shop to check and lay out its own
// knowledge base: the first line of a sh block that starts with "make kb KB=".
func deployKBCommand(t *testing.T, root string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "docs", "deploy.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "make kb KB=") {
			return line
		}
	}
	t.Fatal("docs/deploy.md has no `make kb KB=...` command")
	return ""
}

// TestBotAnswersFromShopKB follows docs/deploy.md with a shop's own knowledge base: its
// `make kb KB=<folder>` command checks the KB and trains the model into the layer, and the
// built bot bootstrap, with FAQ_KB where the template points it (/opt/kb, here the layer),
// answers a customer's question from that KB.
func TestBotAnswersFromShopKB(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	cmdline := deployKBCommand(t, bins.root)
	kbArg := regexp.MustCompile(`KB=\S+`)
	// The doc's command, with the shop's folder; the layer goes to this test's folder.
	layer := t.TempDir()
	args := strings.Fields(kbArg.ReplaceAllString(cmdline, "KB="+filepath.Join(bins.root, shopKB)))
	args = append(args, "KB_LAYER="+layer)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = bins.root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
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
