// Command frontdesk is the project's command-line tool.
//
// This main.go only dispatches "faq" on the faq branch; the lead's main.go replaces it.
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "faq" {
		fmt.Fprintln(os.Stderr, "usage: frontdesk faq <check|eval|build> ...")
		os.Exit(2)
	}
	if err := runFAQ(context.Background(), os.Args[2:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "frontdesk faq:", err)
		os.Exit(1)
	}
}
