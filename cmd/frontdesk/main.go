// Command frontdesk is the developer's tool for the frontdesk backend: it runs the local stack
// (the Lambda handlers behind one HTTP server, routes read from template.yaml) and talks to it.
//
//	frontdesk serve [--addr 127.0.0.1:3000]      run the local stack and its console
//	frontdesk say --channel whatsapp "hello"     send a message as a customer, print the reply
//	frontdesk faq check KB | faq eval ...        validate a knowledge base, measure the matcher
//	frontdesk faq test KB TESTS | faq chat       test a knowledge base, talk to it
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "frontdesk:", err)
		os.Exit(1)
	}
}

const usage = `frontdesk: the support-bot backend's developer tool

Usage:
  frontdesk serve [--addr 127.0.0.1:3000] [--template template.yaml] [--console-with-real-credentials]
        run the local stack: the Lambda handlers behind one HTTP server, embedded store and queue,
        outbound calls recorded in GET /_local/outbox, the console at /_local/console (loopback
        only; off while a real token is set unless --console-with-real-credentials)
  frontdesk say --channel whatsapp|messenger|instagram|comment [--from ID] [--name NAME] "text"
        post a signed webhook as Meta would and print the bot's reply
  frontdesk slack reply [--thread TS] "text" | slack press claim|takeover|resolve|handback|lead
        act as an agent in the latest (or the given) escalation thread: a signed Slack event
  frontdesk faq check KB
        validate a knowledge base (a YAML file or a folder of them)
  frontdesk faq eval --train TRAIN.jsonl --test TEST.jsonl [--val VAL.jsonl] [--json]
        train the matcher on TRAIN and measure it on TEST
  frontdesk faq test KB TESTS [--json]
        run a shop's own test questions through the bot (non-zero exit when a must: true fails)
  frontdesk faq chat [--kb KB]
        talk to the bot like a customer, the decision and top three after each message
  frontdesk faq help
        every faq subcommand (build, ask, …)
`

// run dispatches a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmds := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"serve": runServe,
		"say":   runSay,
		"slack": runSlack,
		"faq": func(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
			return runFAQ(ctx, args, os.Stdin, stdout, stderr)
		},
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	return cmd(ctx, args[1:], getenv, stdout, stderr)
}
