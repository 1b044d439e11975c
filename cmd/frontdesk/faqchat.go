package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

// chatState is one conversation as the bot sees it between messages.
type chatState struct {
	locale  string
	misses  int
	pending []string
}

func faqChat(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kbPath := fs.String("kb", os.Getenv("FAQ_KB"), "knowledge base (default: FAQ_KB, else the sample)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, faqUsage)
		return fmt.Errorf("chat: unexpected argument %q (messages come from stdin)", fs.Arg(0))
	}
	bot, err := faq.Load(*kbPath)
	if err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintln(stdout, "One conversation with the bot. /reset starts a new one, /lang de|en sets its language, /start taps Get Started, /quit ends.")
	}
	var st chatState
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for {
		if interactive {
			fmt.Fprint(stdout, "> ")
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !interactive {
			fmt.Fprintf(stdout, "> %s\n", line)
		}
		in := faq.Input{Text: line, Locale: st.locale, Misses: st.misses, Pending: st.pending}
		switch cmd, arg, _ := strings.Cut(line, " "); cmd {
		case "/quit", "/exit":
			return nil
		case "/reset":
			st = chatState{}
			fmt.Fprintln(stdout, "(new conversation)")
			continue
		case "/lang":
			if !slices.Contains(faq.Languages, arg) {
				fmt.Fprintf(stdout, "(want /lang %s)\n", strings.Join(faq.Languages, "|"))
				continue
			}
			st.locale = arg
			fmt.Fprintf(stdout, "(language %s)\n", arg)
			continue
		case "/start":
			in = faq.Input{Opener: true, Locale: st.locale}
		default:
			if strings.HasPrefix(cmd, "/") {
				fmt.Fprintln(stdout, "(commands: /reset, /lang de|en, /start, /quit)")
				continue
			}
		}
		d := bot.Decide(in)
		st.locale, st.misses, st.pending = d.Locale, d.Misses, nil
		printChatTurn(stdout, d)
		if d.Action == faq.AskBack {
			for _, o := range d.Options {
				st.pending = append(st.pending, o.ID)
			}
		}
	}
	return sc.Err()
}

// printChatTurn shows the reply as the customer would see it, then what the bot decided.
func printChatTurn(w io.Writer, d faq.Decision) {
	fmt.Fprintf(w, "bot: %s\n", d.Text)
	for i, o := range d.Options {
		if d.Action == faq.AskBack {
			fmt.Fprintf(w, "     [%d] %s\n", i+1, o.Title) // a typed "2" picks it
		} else {
			fmt.Fprintf(w, "     [%s]\n", o.Title) // a button: tap it by typing its title
		}
	}
	what := d.Action.String()
	if d.EntryID != "" {
		what += " " + d.EntryID
	}
	if d.Reason != "" {
		what += " (" + d.Reason + ")"
	}
	var top []string
	for _, s := range d.Top {
		top = append(top, fmt.Sprintf("%s %.2f", s.EntryID, s.Score))
	}
	fmt.Fprintf(w, "     · %s · %s · confidence %.2f · top: %s\n", what, d.Locale, d.Confidence, strings.Join(top, ", "))
	if d.Action == faq.Escalate {
		fmt.Fprintln(w, "     · (handed over to a person; /reset starts a new conversation)")
	}
}

// isTerminal reports whether r is a character device (a terminal), not a pipe or file.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
