package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontdesk-app/frontdesk/shared/hostguard"
)

var screenshots = flag.String("screenshots", "", "write the console's screenshots for the README into this folder (make screenshots)")

// chromiumPath finds the browser the console is tested in. Its absence fails the test: the test
// command installs it (scripts/chromium.sh).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: the console's browser test needs it. Install it with `bash scripts/chromium.sh` " +
		"(as root: apt-get update && apt-get install -y chromium); make test does this itself")
	return ""
}

// startLocalStack serves the local stack with its console as `frontdesk serve` does (the same
// server, Host guard and limits), on a free loopback port, and returns its base URL.
func startLocalStack(t *testing.T) string {
	t.Helper()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	env := func(string) string { return "" }
	st, err := newStack(context.Background(), localEnv(env), realTokens(env), filepath.Join("..", "..", "template.yaml"), logger)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.mountConsole(ln.Addr(), "", logger); err != nil {
		t.Fatal(err)
	}
	srv := newServer(hostguard.Middleware(serveHosts(ln.Addr(), ""))(st.mux), serveLimits, logger)
	srv.RegisterOnShutdown(st.console.Close)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		st.Close()
	})
	return "http://" + ln.Addr().String()
}

// TestConsoleInBrowser plays a whole escalation in the console, in headless Chromium: a WhatsApp
// customer gets an answer and asks for a person, an agent claims the card, answers in the
// thread, notes something internal and resolves; a day later the agent's reply goes out as the
// template. With -screenshots DIR it also writes the README's screenshots.
func TestConsoleInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	base := startLocalStack(t)
	started := time.Now()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.WindowSize(1440, 900), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-GB"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(alloc)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 50*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatal(err)
	}
	// Any exception in the page's script fails the test, with its stack.
	var mu sync.Mutex
	var exceptions []string
	_ = chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil && e.ExceptionDetails.Exception.Description != "" {
				msg = e.ExceptionDetails.Exception.Description
			}
			mu.Lock()
			exceptions = append(exceptions, msg)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range exceptions {
			t.Errorf("the console's script threw: %s", e)
		}
	})

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// shows waits until an element matching css contains text: what the person would see.
	shows := func(step, css, text string) {
		t.Helper()
		js := fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.offsetParent !== null && e.textContent.includes(%q))`, css, text)
		if ok, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil || !ok {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent).join(" | ")`, css)))
			t.Fatalf("%s: no %s shows %q (err %v); they show: %.600s", step, css, text, err, got)
		}
	}
	count := func(step, js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return n
	}
	shot := func(name string) {
		t.Helper()
		if *screenshots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	threadInput := `#desk .thread-composer input`

	// A laptop's screen.
	run("open the console", chromedp.EmulateViewport(1440, 900), chromedp.Navigate(base+"/_local/console"), chromedp.WaitVisible(chromedp.CSS(`#say-text`)))
	shows("the customer picked", `#customer-pick`, "Erika Mustermann")

	if unlabelled := count("every control has a label",
		`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length`); unlabelled != 0 {
		t.Errorf("%d form controls have no label", unlabelled)
	}

	// The customer asks a question, typing and pressing Enter, and sees the answer; the bot's
	// reasoning stands beside it.
	run("ask a question", chromedp.SendKeys(chromedp.CSS(`#say-text`), "Wie lange dauert die Lieferung?"+kb.Enter))
	shows("the customer's message", `#chat .bubble.out`, "Wie lange dauert die Lieferung?")
	shows("the answer", `#chat .row.bot .bubble`, "Werktagen")
	shows("the reasoning", `#chat .row.bot .reasoning`, "delivery-time")
	shows("the reasoning's decision", `#chat .row.bot .reasoning`, "answer")
	shows("the reasoning's window rule", `#chat .row.bot .reasoning`, "inside the 24-hour window")
	shows("the reasoning's ranking", `#chat .row.bot .reasoning`, "Top three")
	shows("the consent state", `#consent`, "Ad-data sharing: allowed")

	// The answer's buttons work: a tap answers the entry it names.
	entry, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#chat button.option').dataset.payload`))
	if err != nil || entry == "" {
		t.Fatalf("the answer has no buttons: %q, %v", entry, err)
	}
	run("tap the first button", chromedp.Click(chromedp.CSS(`#chat button.option`)))
	shows("the tapped button's answer", `#chat .row.bot:last-of-type .reasoning`, entry)

	// The customer asks for a person: the bot says so, and the card appears on the desk.
	run("ask for a person", chromedp.SendKeys(chromedp.CSS(`#say-text`), "Ich möchte mit einem Mitarbeiter sprechen"+kb.Enter))
	shows("the escalation notice", `#chat .row.bot .bubble`, "Mitarbeiter")
	shows("why it escalated", `#chat .row.bot .reasoning`, "asked for a person")
	shows("the card", `#desk .bk-header`, "WhatsApp · Erika Mustermann (49******67)")
	shows("the card's status", `#desk .bk-fields`, "Waiting for an agent.")
	shows("the details in the thread", `#desk .replies`, "Ich möchte mit einem Mitarbeiter sprechen")

	// From another customer's chat, the card opens this customer's.
	run("pick Messenger", chromedp.Click(chromedp.CSS(`label[for="surface-messenger"]`)))
	shows("the other customer's empty chat", `#chat .empty`, "Jonas Weber")
	run("open the card's chat", chromedp.Click(chromedp.CSS(`#desk .open-chat`)))
	shows("the card's customer", `#chat .bubble.out`, "Ich möchte mit einem Mitarbeiter sprechen")
	if n := count("WhatsApp picked again", `document.querySelector('#surface-whatsapp').checked ? 1 : 0`); n != 1 {
		t.Error("opening the card's chat did not pick WhatsApp")
	}

	// Nobody claims it for 45 minutes: the sweeper brings it back into view.
	run("move the clock 45 min", chromedp.SendKeys(chromedp.CSS(`#clock-custom`), "45m"+kb.Enter))
	shows("the clock moved", `#clock-offset`, "+45 min")
	run("run the sweeper", chromedp.Click(chromedp.CSS(`#sweep`)))
	shows("the re-announcement", `#desk .replies`, "Still unclaimed after 45 min")

	// The agent claims it from the keyboard.
	run("claim", chromedp.Focus(chromedp.CSS(`#desk button[data-action="claim"]`)), chromedp.KeyEvent(kb.Enter))
	shows("the claimed card", `#desk .bk-fields`, "Claimed by @U0LOCALAGENT.")
	shows("the claim in the thread", `#desk .replies`, "Claimed by @U0LOCALAGENT.")
	if claimButtons := count("the card lost its Claim button", `document.querySelectorAll('#desk button[data-action="claim"]').length`); claimButtons != 0 {
		t.Errorf("%d Claim buttons after the claim, want none", claimButtons)
	}

	// The agent answers in the thread; the customer reads it on WhatsApp.
	run("reply in the thread", chromedp.SendKeys(chromedp.CSS(threadInput), "Dein Paket ist heute losgegangen."+kb.Enter))
	shows("the agent's reply in the customer's chat", `#chat .bubble.agent`, "Dein Paket ist heute losgegangen.")
	shows("the agent's reply in the thread", `#desk .replies .smsg.agent`, "Dein Paket ist heute losgegangen.")
	shot("console-escalation.png")

	// An internal note stays in the thread.
	run("note", chromedp.SendKeys(chromedp.CSS(threadInput), "note: Stammkundin, Bestellung 1042"+kb.Enter))
	shows("the note in the thread", `#desk .replies .smsg.note`, "Stammkundin")

	run("resolve", chromedp.Click(chromedp.CSS(`#desk button[data-action="resolve"]`)))
	shows("the resolved card", `#desk .bk-fields`, "Resolved by @U0LOCALAGENT.")
	if count("the note never reached the customer", `document.querySelector('#chat').textContent.includes('Stammkundin') ? 1 : 0`) != 0 {
		t.Error("the internal note reached the customer's chat")
	}

	// A day later the agent writes again: WhatsApp allows only the template.
	run("move the clock 25 h", chromedp.Click(chromedp.CSS(`button[data-advance="25h"]`)))
	shows("the clock", `#clock-offset`, "+25 h 45 min")
	run("a late reply", chromedp.SendKeys(chromedp.CSS(threadInput), "Ist alles angekommen?"+kb.Enter))
	shows("the template in the customer's chat", `#chat .bubble.template`, "agent_reply_waiting")
	shows("the window rule beside it", `#chat .row.agent .reasoning`, "template sent instead")
	shows("the status line in the thread", `#desk .replies`, "template sent instead")
	if count("the late text was not sent", `[...document.querySelectorAll('#chat .bubble.in')].filter(e => e.textContent.includes('Ist alles angekommen?')).length`) != 0 {
		t.Error("the reply after the window reached the customer as text")
	}
	shot("console-template.png")

	// The customer refuses ad-data sharing: the consent panel follows, with its history.
	run("refuse ad data", chromedp.SendKeys(chromedp.CSS(`#say-text`), "STOP ADS"+kb.Enter))
	shows("the refusal", `#consent`, "Ad-data sharing: refused")
	shows("the consent history", `#consent summary`, "History (1)")
	shows("the consent command beside the confirmation", `#chat .row.bot .reasoning`, "consent command")

	// Another customer's question the bot cannot answer twice goes to a person; after the
	// agent's reply the thread offers "Add to FAQ": the agent picks the entry in the select and
	// adds the question as its phrasing, and the shop's suggestions list has it.
	run("pick Messenger for the second customer", chromedp.Click(chromedp.CSS(`label[for="surface-messenger"]`)))
	shows("Jonas's chat", `#chat .empty`, "Jonas Weber")
	for range 2 {
		run("a question the bot cannot answer", chromedp.SendKeys(chromedp.CSS(`#say-text`), "Quxbar flimflam zorp"+kb.Enter))
		shows("the question", `#chat .bubble.out`, "Quxbar flimflam zorp")
	}
	shows("the hand-over", `#chat .row.bot .reasoning`, "escalate")
	// Messenger sends no name: the card names the surface and the masked id.
	shows("Jonas's card", `#desk .bk-header`, "Messenger · ")
	jonas := `[...document.querySelectorAll('#desk .sthread')].find(e => e.querySelector('.bk-header')?.textContent.startsWith('Messenger'))`
	run("the agent replies in Jonas's thread", chromedp.SendKeys(chromedp.JSPath(jonas+`.querySelector('.thread-composer input')`), "Das klären wir gern per Telefon."+kb.Enter))
	shows("the reply reaches Jonas", `#chat .bubble.agent`, "Das klären wir gern per Telefon.")
	shows("the Add to FAQ offer", `#desk .replies`, "Add to FAQ?")
	if n := count("the offer's select lists the entries", jonas+`.querySelectorAll('select.sselect option[value="delivery-time"]').length`); n != 1 {
		t.Fatalf("the offer's select has %d delivery-time options, want 1", n)
	}
	run("choose the entry", chromedp.SetValue(chromedp.JSPath(jonas+`.querySelector('select.sselect')`), "delivery-time"),
		chromedp.Evaluate[chromedp.Void](jonas+`.querySelector('select.sselect').dispatchEvent(new Event('change')), undefined`))
	run("add as a phrasing", chromedp.Click(chromedp.JSPath(jonas+`.querySelector('button[data-action="faq_phrasing"]')`)))
	shows("the suggestion in the thread", `#desk .replies`, "suggested the question as a new phrasing of")
	resp, err := http.Get(base + "/_local/kb-suggestions")
	if err != nil {
		t.Fatal(err)
	}
	suggestions, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(suggestions), `"delivery-time"`) || !strings.Contains(string(suggestions), "Quxbar flimflam zorp") {
		t.Errorf("/_local/kb-suggestions does not list the question for delivery-time: %.600s", suggestions)
	}

	if foreign := count("nothing loaded from elsewhere", `performance.getEntriesByType('resource').filter(r => !r.name.startsWith(location.origin)).length`); foreign != 0 {
		t.Errorf("%d resources loaded from another origin", foreign)
	}

	t.Logf("browser flow took %s", time.Since(started).Round(time.Millisecond))
}
