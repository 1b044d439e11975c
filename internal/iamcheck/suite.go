package iamcheck

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"sync"
	"testing"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/samtemplate"
)

// Suite is the permission check of one test binary: its functions reach moto through one
// Recorder, and Check, run by TestMain after the tests, decides every distinct call under the
// policies template.yaml gives the function (app.Functions maps names to resources): the
// stack's Table, EventQueue and SecretsPrefix stand for the test world's tables, queues and
// prefixes.
type Suite struct {
	// Options tune the report (RequireNeeded, TestCalls); FRONTDESK_IAM_CALLS=1 sets Verbose.
	Options ReportOptions

	once sync.Once
	rec  *Recorder
	err  error
}

// Endpoint is the AWS endpoint URL for function's requests ("" for a client shared by several
// functions, with Tag and WithFunction), in front of the suite's moto.
func (s *Suite) Endpoint(t testing.TB, function string) string {
	t.Helper()
	upstream := testenv.MotoEndpoint(t)
	s.once.Do(func() { s.rec, s.err = NewRecorder(upstream, "pk") })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.rec.Endpoint(function)
}

// Check decides the recorded calls and reports to w; false fails the test binary. It does
// nothing if no function made a call.
func (s *Suite) Check(w io.Writer) bool {
	if s.rec == nil {
		return true
	}
	defer s.rec.Close()
	c, err := StackChecker()
	if err != nil {
		fmt.Fprintf(w, "permission check: %v\n", err)
		return false
	}
	o := s.Options
	o.Verbose = o.Verbose || os.Getenv("FRONTDESK_IAM_CALLS") != ""
	return Report(w, c, s.rec.Calls(), o)
}

// StackChecker is the checker of frontdesk's template.yaml: the functions of app.Functions,
// the stack's Table, EventQueue and SecretsPrefix for the test world's tables, queues and
// prefixes, and placeholder values for the parameters without a default.
func StackChecker() (*Checker, error) {
	root, err := testenv.RepoRoot()
	if err != nil {
		return nil, err
	}
	roles := map[string]string{}
	for _, f := range app.Functions {
		roles[f.Name] = f.Resource
	}
	params := map[string]string{"SlackChannel": "C0DESK", "SlackTeamIds": "T0DESK1", "SlackAppId": "A0DESK1"}
	return NewChecker(root, params, Binding{Table: "Table", Queue: "EventQueue", SecretsPrefix: "SecretsPrefix"}, roles)
}

// Routes runs each request of mux as the function of its route (functions/<name>/, the
// route's CodeURI), so that a client shared by the functions records its calls as theirs.
func Routes(mux *http.ServeMux, routes []samtemplate.Route) http.Handler {
	function := map[string]string{}
	for _, r := range routes {
		function[r.Pattern()] = path.Base(r.CodeURI)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		mux.ServeHTTP(w, r.WithContext(WithFunction(r.Context(), function[pattern])))
	})
}
