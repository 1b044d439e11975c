package iamcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
)

// Evaluator decides requests with an IAM policy simulator, @cloud-copilot/iam-simulate, run
// by tools/iamcheck/evaluate.mjs under Node.js (the version pinned by its package-lock.json).
type Evaluator struct{ dir string }

var install sync.Mutex

// NewEvaluator returns the evaluator of the repository at root, installing its Node.js
// packages (npm ci) if scripts/tools.sh has not.
func NewEvaluator(root string) (*Evaluator, error) {
	dir := filepath.Join(root, "tools", "iamcheck")
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errors.New("node is not installed: the IAM policy check runs @cloud-copilot/iam-simulate under Node.js (Debian: apt-get install nodejs npm)")
	}
	install.Lock()
	defer install.Unlock()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate")); err != nil {
		cmd := exec.Command("npm", "ci", "--silent", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	return &Evaluator{dir: dir}, nil
}

// Request is one request to decide: a principal calls action on resource, with the condition
// context given, holding the identity policies given.
type Request struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Account   string              `json:"account"`
	Context   map[string][]string `json:"context,omitempty"`
	Policies  []Policy            `json:"policies"`
}

// Decision is the simulator's answer: "Allowed", "ImplicitlyDenied", "ExplicitlyDenied", or
// "Error" with Errors (an unknown action, a resource of the wrong type for the action, ...).
type Decision struct {
	Result string          `json:"result"`
	Errors json.RawMessage `json:"errors,omitempty"`
}

// Decide decides every request, in order, in one run of the simulator.
func (e *Evaluator) Decide(reqs []Request) ([]Decision, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	in, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "evaluate.mjs")
	cmd.Dir = e.dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("evaluate.mjs: %v\n%s", err, stderr.String())
	}
	var ds []Decision
	if err := json.Unmarshal(out, &ds); err != nil {
		return nil, fmt.Errorf("evaluate.mjs answered %q: %w", out, err)
	}
	if len(ds) != len(reqs) {
		return nil, fmt.Errorf("evaluate.mjs decided %d of %d requests", len(ds), len(reqs))
	}
	return ds, nil
}

// Finding is a recorded call and the decision on it under its function's policies.
type Finding struct {
	Call     Call
	ARN      string
	Decision Decision
}

// Allowed reports whether the policies grant the call.
func (f Finding) Allowed() bool { return f.Decision.Result == "Allowed" }

func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s on %s", f.Call.Function, f.Call.Action, f.ARN)
	if len(f.Call.LeadingKeys) > 0 {
		s += fmt.Sprintf(" (dynamodb:LeadingKeys %q)", f.Call.LeadingKeys)
	}
	s += ": " + f.Decision.Result
	if len(f.Decision.Errors) > 0 {
		s += " " + string(f.Decision.Errors)
	}
	return s
}

// Checker decides recorded calls against the policies template.yaml gives each function.
type Checker struct {
	Eval    *Evaluator
	Stack   *Stack
	Binding Binding
	// Roles maps a function's name (Call.Function) to its logical id in the template.
	Roles map[string]string
}

func (c *Checker) request(call Call, policies []Policy) (Request, string, error) {
	arn, err := c.Stack.ARN(call, c.Binding)
	if err != nil {
		return Request{}, "", err
	}
	r := Request{
		Principal: fmt.Sprintf("arn:%s:iam::%s:role/%s-%s", c.Stack.Partition, c.Stack.Account, c.Stack.Name, c.Roles[call.Function]),
		Action:    call.Action, Resource: arn, Account: c.Stack.Account, Policies: policies,
	}
	if len(call.LeadingKeys) > 0 {
		r.Context = map[string][]string{"dynamodb:LeadingKeys": call.LeadingKeys}
	}
	return r, arn, nil
}

func (c *Checker) policies(function string) ([]Policy, error) {
	id, ok := c.Roles[function]
	if !ok {
		return nil, fmt.Errorf("function %q has no resource in the template", function)
	}
	ps, ok := c.Stack.Policies[id]
	if !ok {
		return nil, fmt.Errorf("template has no function %s", id)
	}
	return ps, nil
}

// Check decides every call under its function's policies.
func (c *Checker) Check(calls []Call) ([]Finding, error) {
	var reqs []Request
	var arns []string
	for _, call := range calls {
		ps, err := c.policies(call.Function)
		if err != nil {
			return nil, err
		}
		r, arn, err := c.request(call, ps)
		if err != nil {
			return nil, err
		}
		reqs, arns = append(reqs, r), append(arns, arn)
	}
	ds, err := c.Eval.Decide(reqs)
	if err != nil {
		return nil, err
	}
	out := make([]Finding, len(calls))
	for i := range calls {
		out[i] = Finding{Call: calls[i], ARN: arns[i], Decision: ds[i]}
	}
	return out, nil
}

// Unneeded returns the statements of the functions' policies that no recorded call needs
// (with the statement removed, every call of its function is still allowed), and the actions
// of statements with several actions that no recorded call needs. For a statement it does not
// return, removing the statement makes the check fail.
func (c *Checker) Unneeded(calls []Call) (statements, actions []string, err error) {
	type variant struct {
		what     string
		action   bool
		from, to int // its requests
	}
	var variants []variant
	var reqs []Request
	functions := map[string][]Call{}
	for _, call := range calls {
		functions[call.Function] = append(functions[call.Function], call)
	}
	add := func(fn, what string, action bool, policies []Policy) error {
		v := variant{what: what, action: action, from: len(reqs)}
		for _, call := range functions[fn] {
			r, _, err := c.request(call, policies)
			if err != nil {
				return err
			}
			reqs = append(reqs, r)
		}
		v.to = len(reqs)
		variants = append(variants, v)
		return nil
	}
	for _, fn := range slices.Sorted(maps.Keys(c.Roles)) {
		ps, err := c.policies(fn)
		if err != nil {
			return nil, nil, err
		}
		for p := range ps {
			for i := range ps[p].Statements() {
				id := c.Roles[fn] + " " + StatementID(ps, p, i)
				if err := add(fn, id, false, Without(ps, p, i)); err != nil {
					return nil, nil, err
				}
				for _, a := range Actions(ps, p, i) {
					if without, ok := WithoutAction(ps, p, i, a); ok {
						if err := add(fn, id+" "+a, true, without); err != nil {
							return nil, nil, err
						}
					}
				}
			}
		}
	}
	ds, err := c.Eval.Decide(reqs)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range variants {
		needed := false
		for _, d := range ds[v.from:v.to] {
			if d.Result != "Allowed" {
				needed = true
			}
		}
		switch {
		case needed:
		case v.action:
			actions = append(actions, v.what)
		default:
			statements = append(statements, v.what)
		}
	}
	return statements, actions, nil
}
