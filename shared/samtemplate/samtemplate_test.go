package samtemplate

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// repoTemplate is the real template, two directories up.
const repoTemplate = "../../template.yaml"

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestRepoTemplateRoutes pins the routes every helper relies on (HELPERS.md, "HTTP routes").
func TestRepoTemplateRoutes(t *testing.T) {
	t.Parallel()
	got, err := Routes(readFile(t, repoTemplate))
	if err != nil {
		t.Fatalf("Routes(template.yaml): %v", err)
	}
	const (
		meta    = "functions/meta-webhook/"
		slack   = "functions/slack/"
		consent = "functions/consent/"
	)
	want := []Route{
		{"ConsentFunction", consent, "POST", "/consent"},
		{"ConsentFunction", consent, "DELETE", "/consent/{subject}"},
		{"ConsentFunction", consent, "GET", "/consent/{subject}"},
		{"ConsentFunction", consent, "POST", "/meta/data-deletion"},
		{"ConsentFunction", consent, "GET", "/meta/data-deletion/{code}"},
		{"SlackFunction", slack, "POST", "/slack/commands"},
		{"SlackFunction", slack, "POST", "/slack/events"},
		{"SlackFunction", slack, "POST", "/slack/interactions"},
		{"MetaWebhookFunction", meta, "GET", "/webhooks/meta"},
		{"MetaWebhookFunction", meta, "POST", "/webhooks/meta"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Routes(template.yaml) mismatch (-want +got):\n%s", diff)
	}
}

// TestRepoTemplateFunctions checks the five functions and that each CodeUri is a directory of
// the repository, so sam build and the local server find the code.
func TestRepoTemplateFunctions(t *testing.T) {
	t.Parallel()
	got, err := Functions(readFile(t, repoTemplate))
	if err != nil {
		t.Fatalf("Functions(template.yaml): %v", err)
	}
	want := []Function{
		{"BotFunction", "functions/bot/"},
		{"ConsentFunction", "functions/consent/"},
		{"MetaWebhookFunction", "functions/meta-webhook/"},
		{"SlackFunction", "functions/slack/"},
		{"SweeperFunction", "functions/sweeper/"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Functions(template.yaml) mismatch (-want +got):\n%s", diff)
	}
	for _, f := range got {
		dir := filepath.Join(filepath.Dir(repoTemplate), filepath.FromSlash(f.CodeURI))
		fi, err := os.Stat(dir)
		if err != nil {
			t.Errorf("%s: CodeUri %s: %v", f.Name, f.CodeURI, err)
			continue
		}
		if !fi.IsDir() {
			t.Errorf("%s: CodeUri %s is not a directory", f.Name, f.CodeURI)
		}
	}
}

func TestRoutesTestdata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		want      []Route
		wantFuncs []Function
	}{
		{
			file: "globals.yaml",
			want: []Route{
				{"RootFunction", "functions/all/", "GET", "/"},
				{"RootFunction", "functions/all/", "ANY", "/files/{rest+}"},
				{"OwnFunction", "./functions/own", "DELETE", "/items/{item_id}"},
			},
			wantFuncs: []Function{
				{"OwnFunction", "./functions/own"},
				{"QueueFunction", "functions/queue/"},
				{"RootFunction", "functions/all/"},
			},
		},
		{
			file: "anchors.yaml",
			want: []Route{
				{"HookFunction", "functions/hook/", "GET", "/hook"},
				{"HookFunction", "functions/hook/", "POST", "/hook"},
				{"OtherFunction", "functions/hook/", "PUT", "/other/{id}"},
			},
			wantFuncs: []Function{
				{"HookFunction", "functions/hook/"},
				{"OtherFunction", "functions/hook/"},
			},
		},
		{
			file: "template.json",
			want: []Route{
				{"JsonFunction", "functions/json/", "POST", "/things"},
				{"JsonFunction", "functions/json/", "GET", "/things/{id}"},
			},
			wantFuncs: []Function{{"JsonFunction", "functions/json/"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := readFile(t, filepath.Join("testdata", tt.file))
			got, err := Routes(data)
			if err != nil {
				t.Fatalf("Routes: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Routes mismatch (-want +got):\n%s", diff)
			}
			funcs, err := Functions(data)
			if err != nil {
				t.Fatalf("Functions: %v", err)
			}
			if diff := cmp.Diff(tt.wantFuncs, funcs); diff != "" {
				t.Errorf("Functions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		route Route
		want  string
	}{
		{Route{Method: "GET", Path: "/consent/{subject}"}, "GET /consent/{subject}"},
		{Route{Method: "POST", Path: "/webhooks/meta"}, "POST /webhooks/meta"},
		{Route{Method: "ANY", Path: "/files/{rest+}"}, "/files/{rest...}"},
		{Route{Method: "GET", Path: "/"}, "GET /{$}"},
		{Route{Method: "ANY", Path: "/"}, "/{$}"},
	}
	for _, tt := range tests {
		if got := tt.route.Pattern(); got != tt.want {
			t.Errorf("Route{%s %s}.Pattern() = %q, want %q", tt.route.Method, tt.route.Path, got, tt.want)
		}
	}
}

// TestPatternServes mounts the real template's routes and checks that each route's pattern is
// the one a ServeMux picks for a request to that route, and that nothing else is served.
func TestPatternServes(t *testing.T) {
	t.Parallel()
	routes, err := Routes(readFile(t, repoTemplate))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r.Pattern(), http.NotFoundHandler())
	}
	tests := []struct {
		method, target, wantPattern string
	}{
		{"GET", "/webhooks/meta?hub.mode=subscribe", "GET /webhooks/meta"},
		{"POST", "/webhooks/meta", "POST /webhooks/meta"},
		{"HEAD", "/webhooks/meta", "GET /webhooks/meta"},
		{"POST", "/slack/events", "POST /slack/events"},
		{"POST", "/slack/interactions", "POST /slack/interactions"},
		{"POST", "/slack/commands", "POST /slack/commands"},
		{"POST", "/consent", "POST /consent"},
		{"GET", "/consent/abc123", "GET /consent/{subject}"},
		{"POST", "/meta/data-deletion", "POST /meta/data-deletion"},
		{"GET", "/meta/data-deletion/CODE1", "GET /meta/data-deletion/{code}"},
		{"PUT", "/webhooks/meta", ""},
		{"GET", "/consent/a/b", ""},
		{"GET", "/", ""},
		{"POST", "/slack/events/", ""},
	}
	for _, tt := range tests {
		_, got := mux.Handler(httptest.NewRequest(tt.method, tt.target, nil))
		if got != tt.wantPattern {
			t.Errorf("%s %s: pattern = %q, want %q", tt.method, tt.target, got, tt.wantPattern)
		}
	}
}

// fn is a function resource with one HttpApi event of the given method and path (YAML).
func fn(name, method, path string) string {
	return "  " + name + `:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/x/
      Events:
        Ev:
          Type: HttpApi
          Properties:
            Method: ` + method + `
            Path: ` + path + "\n"
}

// tpl is a template with the given resources (YAML, indented two spaces).
func tpl(resources ...string) string {
	return "Transform: AWS::Serverless-2016-10-31\nResources:\n" + strings.Join(resources, "")
}

func TestRoutesMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		// wantErrs are substrings the error must contain, each in its own joined error.
		wantErrs []string
	}{
		{"not yaml", "Resources: [", []string{"parse template"}},
		{"empty", "", []string{"template is empty"}},
		{"scalar", "hello", []string{"line 1: the template must be a mapping, not a value of type !!str"}},
		{"no resources", "AWSTemplateFormatVersion: '2010-09-09'\n", []string{"template has no Resources"}},
		{"resources list", "Resources: [a, b]\n", []string{"line 1: Resources must be a mapping, not a list"}},
		{"duplicate resource", tpl(fn("A", "GET", "/a"), fn("A", "GET", "/b")), []string{`Resources has the key "A" twice`}},
		{"key not a string", "Resources:\n  [a]: {Type: x}\n", []string{"Resources has a key that is not a plain string (a list)"}},
		{"no type", tpl("  A:\n    Properties: {}\n"), []string{"line 3: A: resource has no Type"}},
		{"type ref", tpl("  A:\n    Type: !Ref T\n"), []string{"A: Type must be a plain string, not the intrinsic function !Ref"}},
		{
			"no codeuri",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: bootstrap\n"),
			[]string{"line 3: A: function has no CodeUri (in its Properties or in Globals.Function)"},
		},
		{
			"codeuri s3 mapping",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {Bucket: b, Key: k}\n"),
			[]string{"line 6: A: CodeUri must be a plain string, not a mapping"},
		},
		{
			"codeuri s3 uri",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: s3://b/k.zip\n"),
			[]string{`A: CodeUri "s3://b/k.zip" must be a local directory, not a URI`},
		},
		{
			"codeuri absolute",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: /src/a\n"),
			[]string{`CodeUri "/src/a" must be relative to the template`},
		},
		{
			"codeuri parent",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: functions/../../a\n"),
			[]string{`CodeUri "functions/../../a" leaves the template's directory`},
		},
		{
			"codeuri backslash",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: functions\\a\n"),
			[]string{"must use forward slashes"},
		},
		{
			"codeuri empty",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ''\n"),
			[]string{"A: CodeUri is empty"},
		},
		{
			"codeuri ref",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: !Ref Src\n"),
			[]string{"A: CodeUri must be a plain string, not the intrinsic function !Ref"},
		},
		{
			"global codeuri sub",
			"Globals:\n  Function:\n    CodeUri: !Sub '${Dir}/'\n" + tpl(fn("A", "GET", "/a")),
			[]string{"line 3: Globals.Function: CodeUri must be a plain string, not the intrinsic function !Sub"},
		},
		{"path sub", tpl(fn("A", "GET", "!Sub /a/${X}")), []string{"line 12: A event Ev: Path must be a plain string, not the intrinsic function !Sub"}},
		{"path long-form sub", tpl(fn("A", "GET", "{'Fn::Sub': '/a'}")), []string{"A event Ev: Path must be a plain string, not the intrinsic function Fn::Sub"}},
		{"path number", tpl(fn("A", "GET", "42")), []string{"Path must be a plain string, not a value of type !!int"}},
		{"method ref", tpl(fn("A", "!Ref M", "/a")), []string{"line 11: A event Ev: Method must be a plain string, not the intrinsic function !Ref"}},
		{"method unknown", tpl(fn("A", "FETCH", "/a")), []string{`A event Ev: Method "FETCH" is not an HTTP method`}},
		{"no leading slash", tpl(fn("A", "GET", "a/b")), []string{`line 12: A event Ev: path "a/b" must start with /`}},
		{"trailing slash", tpl(fn("A", "GET", "/a/")), []string{`path "/a/" must not end with /`}},
		{"empty segment", tpl(fn("A", "GET", "/a//b")), []string{`path "/a//b" has an empty segment`}},
		{"dot segment", tpl(fn("A", "GET", "/a/../b")), []string{`path "/a/../b" has a ".." segment`}},
		{"brace inside literal", tpl(fn("A", "GET", "/a/x{y}")), []string{`character '{' is not allowed in a literal segment`}},
		{"param not whole segment", tpl(fn("A", "GET", "/a/{y}x")), []string{`parameter "{y}x" must be a whole segment {name}`}},
		{"greedy not last", tpl(fn("A", "GET", "/{p+}/a")), []string{`greedy parameter "{p+}" must be the last segment`}},
		{"param name digit", tpl(fn("A", "GET", "/{1x}")), []string{`parameter name "1x" must be letters, digits and _`}},
		{"param name empty", tpl(fn("A", "GET", "/{}")), []string{`parameter name "" must be letters`}},
		{"param twice", tpl(fn("A", "GET", "/{a}/{a}")), []string{`parameter "a" appears twice`}},
		{"non-ascii", tpl(fn("A", "GET", "/café")), []string{`character 'é' is not allowed`}},
		{"space", tpl(fn("A", "GET", "'/a b'")), []string{`character ' ' is not allowed`}},
		{"percent", tpl(fn("A", "GET", "/a%zz")), []string{`character '%' is not allowed`}},
		{
			"no path",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f/\n      Events:\n        Ev:\n          Type: HttpApi\n"),
			[]string{"line 8: A event Ev: HttpApi event needs both Method and Path"},
		},
		{
			"payload 1.0",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f/\n      Events:\n        Ev:\n          Type: HttpApi\n          Properties: {Method: GET, Path: /a, PayloadFormatVersion: '1.0'}\n"),
			[]string{"A event Ev: PayloadFormatVersion must be 2.0"},
		},
		{
			"rest api event",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f/\n      Events:\n        Ev:\n          Type: Api\n          Properties: {Method: GET, Path: /a}\n"),
			[]string{"line 9: A event Ev: REST API (Api) events are not served locally; use HttpApi"},
		},
		{
			"event without type",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f/\n      Events:\n        Ev:\n          Properties: {}\n"),
			[]string{"line 8: A event Ev: event has no Type"},
		},
		{
			"events list",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f/\n      Events: [x]\n"),
			[]string{"A: Events must be a mapping, not a list"},
		},
		{
			"duplicate event",
			tpl("  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f/\n      Events:\n        Ev: {Type: HttpApi, Properties: {Method: GET, Path: /a}}\n        Ev: {Type: HttpApi, Properties: {Method: GET, Path: /b}}\n"),
			[]string{`A: Events has the key "Ev" twice`},
		},
		{"same route twice", tpl(fn("A", "GET", "/a"), fn("B", "get", "/a")), []string{"B: route GET /a is also routed to A"}},
		{"same route other names", tpl(fn("A", "GET", "/a/{x}"), fn("B", "GET", "/a/{y}")), []string{"B: route GET /a/{y} is also routed to A"}},
		{"conflicting routes", tpl(fn("A", "GET", "/a/{x}"), fn("B", "GET", "/{y}/b")), []string{"B: route GET /{y}/b overlaps route GET /a/{x} of A without either being more specific"}},
		{
			"every problem reported",
			tpl(fn("A", "GET", "a"), fn("B", "BREW", "/b"), "  C:\n    Type: AWS::Serverless::Function\n"),
			[]string{`A event Ev: path "a" must start with /`, `B event Ev: Method "BREW"`, "C: function has no CodeUri"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Routes([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("Routes = %v, nil; want errors %q", got, tt.wantErrs)
			}
			if got != nil {
				t.Errorf("Routes = %v, want no routes with an error", got)
			}
			msg := err.Error()
			for _, want := range tt.wantErrs {
				if !strings.Contains(msg, want) {
					t.Errorf("error = %q\nwant it to contain %q", msg, want)
				}
			}
			if n := len(strings.Split(msg, "\n")); n != len(tt.wantErrs) {
				t.Errorf("error has %d lines, want %d:\n%s", n, len(tt.wantErrs), msg)
			}
			if _, err := Functions([]byte(tt.yaml)); err == nil {
				t.Errorf("Functions: error = nil, want the same errors as Routes")
			}
		})
	}
}

func TestErrorAs(t *testing.T) {
	t.Parallel()
	_, err := Routes([]byte(tpl(fn("MetaWebhookFunction", "GET", "webhooks"))))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	want := &Error{Line: 12, Resource: "MetaWebhookFunction", Event: "Ev", Msg: `path "webhooks" must start with /`}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("Error mismatch (-want +got):\n%s", diff)
	}
}

func TestReadRoutes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(tpl(fn("A", "GET", "a"))), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		wantErr string
		want    int
	}{
		{"repo template", repoTemplate, "", 10},
		{"missing file", filepath.Join(dir, "missing.yaml"), "read routes: open ", 0},
		{"bad template names the file", bad, bad + ": line 12: A event Ev: path", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadRoutes(tt.file)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ReadRoutes: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadRoutes error = %v, want it to contain %q", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Errorf("ReadRoutes = %d routes, want %d", len(got), tt.want)
			}
		})
	}
}

// FuzzRoutes feeds templates to Routes. Whatever it accepts must be mountable: sorted, no route
// twice, every pattern registers on a ServeMux, and a request to each route reaches that route.
func FuzzRoutes(f *testing.F) {
	f.Add(readFile(f, repoTemplate))
	seeds, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(readFile(f, s))
	}
	f.Add([]byte(tpl(fn("A", "GET", "/a/{x}"), fn("B", "GET", "/{y}/b"))))
	f.Add([]byte(tpl(fn("A", "ANY", "/{p+}"), fn("B", "POST", "/"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		routes, err := Routes(data)
		if err != nil {
			if routes != nil {
				t.Fatalf("Routes returned %d routes with error %v", len(routes), err)
			}
			return
		}
		again, err := Routes(data)
		if err != nil || !slices.Equal(routes, again) {
			t.Fatalf("Routes is not deterministic: %v, %v, %v", routes, again, err)
		}
		mux := http.NewServeMux()
		for i, r := range routes {
			if r.Function == "" || r.CodeURI == "" || !validMethod(r.Method) || !strings.HasPrefix(r.Path, "/") {
				t.Fatalf("route %+v is incomplete", r)
			}
			if i > 0 {
				prev := routes[i-1]
				if prev.Path > r.Path || prev.Path == r.Path && prev.Method >= r.Method {
					t.Fatalf("routes out of order or repeated: %+v then %+v", prev, r)
				}
			}
			mux.Handle(r.Pattern(), http.NotFoundHandler()) // panics if the pattern is refused
		}
		for _, r := range routes {
			method := r.Method
			if method == "ANY" {
				method = "PURGE" // a method no other route can name
			}
			req := httptest.NewRequest(method, requestPath(r.Path), nil)
			if _, got := mux.Handler(req); got != r.Pattern() {
				t.Fatalf("%s %s reaches pattern %q, want %q", method, req.URL.Path, got, r.Pattern())
			}
		}
	})
}

// requestPath fills the parameters of an API Gateway path with values that no literal segment
// can equal ('!' is not allowed in one).
func requestPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		switch {
		case strings.HasSuffix(s, "+}"):
			segs[i] = "v!1/v!2"
		case strings.HasPrefix(s, "{"):
			segs[i] = "v!"
		}
	}
	return strings.Join(segs, "/")
}

// FuzzPath checks that every path checkPath accepts mounts on a ServeMux and serves a request
// to it, so a template that passes cannot make the local server panic or route differently.
func FuzzPath(f *testing.F) {
	for _, p := range []string{"/", "/webhooks/meta", "/consent/{subject}", "/files/{rest+}", "/a/{x}/b/{y}", "/{p}", "/a.b/~c_d-e"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if checkPath(p) != nil {
			return
		}
		for _, method := range []string{"GET", "ANY"} {
			r := Route{Method: method, Path: p}
			mux := http.NewServeMux()
			mux.Handle(r.Pattern(), http.NotFoundHandler()) // panics if refused
			m := method
			if m == "ANY" {
				m = "PURGE"
			}
			req := httptest.NewRequest(m, requestPath(p), nil)
			if _, got := mux.Handler(req); got != r.Pattern() {
				t.Fatalf("%s %s reaches pattern %q, want %q", m, req.URL.Path, got, r.Pattern())
			}
		}
	})
}
