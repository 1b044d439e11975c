package iamcheck

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// NewChecker reads root/template.yaml (params override its parameters' defaults) and returns
// the checker of the calls of the functions in roles (function name -> logical id).
func NewChecker(root string, params map[string]string, b Binding, roles map[string]string) (*Checker, error) {
	tpl, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	stack, err := LoadStack(tpl, params)
	if err != nil {
		return nil, err
	}
	ev, err := NewEvaluator(root)
	if err != nil {
		return nil, err
	}
	return &Checker{Eval: ev, Stack: stack, Binding: b, Roles: roles}, nil
}

// ReportOptions tune Report.
type ReportOptions struct {
	// RequireNeeded fails every statement no call needs (the suite would not notice its
	// removal); for a suite that drives every function.
	RequireNeeded bool
	// TestCalls are calls outside any function (Unattributed) that the suite's own code makes
	// through the functions' clients (seeding and inspecting the store); they are left out.
	// Without it, such a call fails the report.
	TestCalls bool
	// Verbose lists every decision.
	Verbose bool
}

// Report decides calls and writes what it found to w: every call the policies deny, a call no
// function was named for, and the statements no call needs (see ReportOptions). It returns
// false if any of those was found.
func Report(w io.Writer, c *Checker, calls []Call, o ReportOptions) bool {
	requireNeeded, verbose := o.RequireNeeded, o.Verbose
	start := time.Now()
	ok := true
	var known []Call
	for _, call := range calls {
		if call.Function == Unattributed {
			if !o.TestCalls {
				ok = false
				fmt.Fprintf(w, "permission check: %s was made outside any function (mark the context with iamcheck.WithFunction)\n", call)
			}
			continue
		}
		known = append(known, call)
	}
	findings, err := c.Check(known)
	if err != nil {
		fmt.Fprintf(w, "permission check: %v\n", err)
		return false
	}
	functions := map[string]bool{}
	for _, f := range findings {
		functions[f.Call.Function] = true
		if !f.Allowed() {
			ok = false
			fmt.Fprintf(w, "permission check: template.yaml does not grant %s\n", f)
		}
	}
	unneeded := 0
	if requireNeeded {
		statements, actions, err := c.Unneeded(known)
		if err != nil {
			fmt.Fprintf(w, "permission check: %v\n", err)
			return false
		}
		for _, s := range statements {
			ok = false
			fmt.Fprintf(w, "permission check: no call of the suite needs %s: remove it, or drive the call it grants\n", s)
		}
		for _, a := range actions {
			fmt.Fprintf(w, "permission check: note: no call of this suite needs the action %s\n", a)
		}
		unneeded = len(statements)
	}
	if verbose || !ok {
		for _, f := range findings {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	fmt.Fprintf(w, "permission check: %d distinct calls of %d functions decided against template.yaml in %s",
		len(findings), len(functions), time.Since(start).Round(time.Millisecond))
	if requireNeeded {
		fmt.Fprintf(w, "; %d statements no call needs", unneeded)
	}
	fmt.Fprintln(w)
	return ok
}
