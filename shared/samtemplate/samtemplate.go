package samtemplate

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Resource and event types the package understands.
const (
	functionType = "AWS::Serverless::Function"
	httpAPIEvent = "HttpApi"
	restAPIEvent = "Api"
)

// Function is one AWS::Serverless::Function of the template.
type Function struct {
	// Name is the function's logical id, e.g. "MetaWebhookFunction".
	Name string
	// CodeURI is the function's source directory as written in the template (relative to it),
	// e.g. "functions/meta-webhook/".
	CodeURI string
}

// Route is one HttpApi event of a function: API Gateway sends Method Path to Function.
type Route struct {
	// Function is the logical id of the function that serves the route.
	Function string
	// CodeURI is that function's source directory, e.g. "functions/meta-webhook/".
	CodeURI string
	// Method is the HTTP method in upper case, or "ANY" for every method.
	Method string
	// Path is the API Gateway path, e.g. "/consent/{subject}"; a greedy last parameter is
	// written {name+}.
	Path string
}

// Pattern returns the route as a net/http ServeMux pattern (Go 1.22 syntax), e.g.
// "GET /consent/{subject}". A greedy {name+} becomes {name...}, the root path "/" becomes
// "/{$}" (API Gateway matches it exactly) and ANY drops the method.
func (r Route) Pattern() string {
	p := r.Path
	if p == "/" {
		p = "/{$}"
	} else {
		p = strings.ReplaceAll(p, "+}", "...}")
	}
	if r.Method == "ANY" {
		return p
	}
	return r.Method + " " + p
}

// Error is one problem in the template. Line is 0 when the problem has no single place.
type Error struct {
	Line     int
	Resource string
	Event    string
	Msg      string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Resource != "" {
		b.WriteString(e.Resource)
		if e.Event != "" {
			b.WriteString(" event " + e.Event)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Routes returns the HttpApi routes of the template in data, sorted by path, then method.
// It returns every problem it finds, joined, and no routes if there is any.
func Routes(data []byte) ([]Route, error) {
	t, err := parse(data)
	if err != nil {
		return nil, err
	}
	return t.routes, nil
}

// Functions returns the functions of the template in data, sorted by name.
// It returns every problem it finds, joined, and no functions if there is any.
func Functions(data []byte) ([]Function, error) {
	t, err := parse(data)
	if err != nil {
		return nil, err
	}
	return t.functions, nil
}

// ReadRoutes is Routes on the file name; errors start with the file name.
func ReadRoutes(name string) ([]Route, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read routes: %w", err)
	}
	routes, err := Routes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return routes, nil
}

type template struct {
	functions []Function
	routes    []Route
}

// parser collects the problems of one template.
type parser struct {
	errs []error
}

// where locates a node for error messages.
type where struct {
	resource, event string
}

func (p *parser) fail(n *yaml.Node, w where, format string, args ...any) {
	e := &Error{Resource: w.resource, Event: w.event, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line = n.Line
	}
	p.errs = append(p.errs, e)
}

func parse(data []byte) (*template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{Msg: "template is empty"}
	}
	var p parser
	top := p.fields(doc.Content[0], where{}, "the template")
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}

	var globalCodeURI string
	if g := lookup(top, "Globals"); g != nil {
		if f := lookup(p.fields(g, where{}, "Globals"), "Function"); f != nil {
			if c := lookup(p.fields(f, where{}, "Globals.Function"), "CodeUri"); c != nil {
				globalCodeURI = p.codeURI(c, where{resource: "Globals.Function"})
			}
		}
	}

	resources := lookup(top, "Resources")
	if resources == nil {
		p.fail(doc.Content[0], where{}, "template has no Resources")
		return nil, errors.Join(p.errs...)
	}
	var t template
	for _, r := range p.fields(resources, where{}, "Resources") {
		p.resource(&t, r, globalCodeURI)
	}
	p.checkRoutes(t.routes)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	slices.SortFunc(t.functions, func(a, b Function) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(t.routes, func(a, b Route) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	})
	return &t, nil
}

// resource adds the function and routes of one resource, if it is a function.
func (p *parser) resource(t *template, r field, globalCodeURI string) {
	w := where{resource: r.key}
	fs := p.fields(r.val, w, "the resource")
	typ := lookup(fs, "Type")
	if typ == nil {
		p.fail(r.keyNode, w, "resource has no Type")
		return
	}
	if s, ok := p.str(typ, w, "Type"); !ok || s != functionType {
		return
	}
	props := p.fields(lookup(fs, "Properties"), w, "Properties")
	codeURI := globalCodeURI
	if c := lookup(props, "CodeUri"); c != nil {
		codeURI = p.codeURI(c, w)
	} else if codeURI == "" {
		p.fail(r.keyNode, w, "function has no CodeUri (in its Properties or in Globals.Function)")
	}
	t.functions = append(t.functions, Function{Name: r.key, CodeURI: codeURI})

	for _, e := range p.fields(lookup(props, "Events"), w, "Events") {
		p.event(t, r.key, codeURI, e)
	}
}

// event adds the route of one event, if it is an HttpApi event.
func (p *parser) event(t *template, function, codeURI string, e field) {
	w := where{resource: function, event: e.key}
	fs := p.fields(e.val, w, "the event")
	typ := lookup(fs, "Type")
	if typ == nil {
		p.fail(e.keyNode, w, "event has no Type")
		return
	}
	kind, ok := p.str(typ, w, "Type")
	switch {
	case !ok:
		return
	case kind == restAPIEvent:
		p.fail(typ, w, "REST API (Api) events are not served locally; use HttpApi")
		return
	case kind != httpAPIEvent:
		return
	}
	props := p.fields(lookup(fs, "Properties"), w, "Properties")
	methodNode, pathNode := lookup(props, "Method"), lookup(props, "Path")
	if methodNode == nil || pathNode == nil {
		p.fail(e.keyNode, w, "HttpApi event needs both Method and Path (the catch-all default route is not served locally)")
		return
	}
	if v := lookup(props, "PayloadFormatVersion"); v != nil {
		if v.Kind != yaml.ScalarNode || v.Value != "2.0" || v.Tag != "!!str" && v.Tag != "!!float" {
			p.fail(v, w, "PayloadFormatVersion must be 2.0: the handlers take API Gateway v2 events")
		}
	}
	method, okMethod := p.str(methodNode, w, "Method")
	route, okPath := p.str(pathNode, w, "Path")
	if !okMethod || !okPath {
		return
	}
	method = strings.ToUpper(method)
	if !validMethod(method) {
		p.fail(methodNode, w, "Method %q is not an HTTP method API Gateway routes (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY)", method)
		return
	}
	if err := checkPath(route); err != nil {
		p.fail(pathNode, w, "%v", err)
		return
	}
	t.routes = append(t.routes, Route{Function: function, CodeURI: codeURI, Method: method, Path: route})
}

// checkRoutes reports routes that are the same route twice, or that a ServeMux refuses to
// mount together: two routes that both match some path with neither more specific, like
// /a/{x} and /{y}/b (API Gateway would pick one by its own rules; ServeMux refuses both).
func (p *parser) checkRoutes(routes []Route) {
	seen := make(map[string]Route, len(routes))
	var mounted []Route
	mux := http.NewServeMux()
	for _, r := range routes {
		key := r.Method + " " + shape(r.Path)
		if prev, dup := seen[key]; dup {
			p.fail(nil, where{resource: r.Function}, "route %s %s is also routed to %s", r.Method, r.Path, prev.Function)
			continue
		}
		seen[key] = r
		if !mount(mux, r) {
			p.fail(nil, where{resource: r.Function}, "route %s %s overlaps %s without either being more specific", r.Method, r.Path, overlapping(mounted, r))
			continue
		}
		mounted = append(mounted, r)
	}
}

// overlapping names the route of mounted that r conflicts with.
func overlapping(mounted []Route, r Route) string {
	for _, m := range mounted {
		mux := http.NewServeMux()
		mux.Handle(m.Pattern(), http.NotFoundHandler())
		if !mount(mux, r) {
			return fmt.Sprintf("route %s %s of %s", m.Method, m.Path, m.Function)
		}
	}
	return "another route"
}

// mount registers r on mux and reports whether mux took it. ServeMux panics on a pattern it
// refuses or one that conflicts with a registered one; checkPath rules out the first, so this
// is the backstop for conflicts.
func mount(mux *http.ServeMux, r Route) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	mux.Handle(r.Pattern(), http.NotFoundHandler())
	return true
}

// shape is the path with its parameter names erased: /a/{x} and /a/{y} are one route.
func shape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			if strings.HasSuffix(s, "+}") {
				segs[i] = "{+}"
			} else {
				segs[i] = "{}"
			}
		}
	}
	return strings.Join(segs, "/")
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY":
		return true
	}
	return false
}

// checkPath accepts the API Gateway paths that mean the same to a ServeMux: "/" or slash
// separated non-empty segments, each a literal of unreserved characters (RFC 3986 section 2.3)
// or a whole-segment {name}, the last one possibly greedy {name+}. Names are Go identifiers,
// unique in the path.
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path %q must start with /", p)
	}
	if p == "/" {
		return nil
	}
	if strings.HasSuffix(p, "/") {
		return fmt.Errorf("path %q must not end with /", p)
	}
	segs := strings.Split(p[1:], "/")
	names := make(map[string]bool)
	for i, s := range segs {
		switch {
		case s == "":
			return fmt.Errorf("path %q has an empty segment", p)
		case s == "." || s == "..":
			return fmt.Errorf("path %q has a %q segment", p, s)
		case strings.HasPrefix(s, "{"):
			name, ok := strings.CutSuffix(s[1:], "}")
			if !ok {
				return fmt.Errorf("path %q: parameter %q must be a whole segment {name}", p, s)
			}
			if n, greedy := strings.CutSuffix(name, "+"); greedy {
				if i != len(segs)-1 {
					return fmt.Errorf("path %q: greedy parameter %q must be the last segment", p, s)
				}
				name = n
			}
			if !validName(name) {
				return fmt.Errorf("path %q: parameter name %q must be letters, digits and _, not starting with a digit", p, name)
			}
			if names[name] {
				return fmt.Errorf("path %q: parameter %q appears twice", p, name)
			}
			names[name] = true
		default:
			for _, c := range s {
				if !unreserved(c) {
					return fmt.Errorf("path %q: character %q is not allowed in a literal segment", p, c)
				}
			}
		}
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func unreserved(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// codeURI returns the CodeUri in n if it is a local directory below the template's.
func (p *parser) codeURI(n *yaml.Node, w where) string {
	s, ok := p.str(n, w, "CodeUri")
	if !ok {
		return ""
	}
	clean := path.Clean(s)
	switch {
	case s == "":
		p.fail(n, w, "CodeUri is empty")
	case strings.Contains(s, "://"):
		p.fail(n, w, "CodeUri %q must be a local directory, not a URI", s)
	case strings.ContainsRune(s, '\\'):
		p.fail(n, w, "CodeUri %q must use forward slashes", s)
	case path.IsAbs(s):
		p.fail(n, w, "CodeUri %q must be relative to the template", s)
	case clean == ".." || strings.HasPrefix(clean, "../"):
		p.fail(n, w, "CodeUri %q leaves the template's directory", s)
	default:
		return s
	}
	return ""
}

// field is one key and value of a mapping, in document order.
type field struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// fields returns the entries of mapping n. A missing or null n has none. It reports a node
// that is not a mapping, keys that are not plain strings and duplicate keys (CloudFormation
// rejects those).
func (p *parser) fields(n *yaml.Node, w where, what string) []field {
	n = deref(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, w, "%s must be a mapping, not %s", what, describe(n))
		return nil
	}
	out := make([]field, 0, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			p.fail(k, w, "%s has a key that is not a plain string (%s)", what, describe(k))
			continue
		}
		if seen[k.Value] {
			p.fail(k, w, "%s has the key %q twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, field{key: k.Value, keyNode: k, val: n.Content[i+1]})
	}
	return out
}

func lookup(fs []field, key string) *yaml.Node {
	for _, f := range fs {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

// str returns the plain string in n, or reports what n is instead.
func (p *parser) str(n *yaml.Node, w where, what string) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(n, w, "%s must be a plain string, not %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// describe names what a node is, for error messages: "!Sub", "Fn::If", "a list", "!!int".
func describe(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && isIntrinsic(n.Content[0].Value):
		return "the intrinsic function " + n.Content[0].Value
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case strings.HasPrefix(n.Tag, "!!"):
		return fmt.Sprintf("a value of type %s", n.Tag)
	default:
		return "the intrinsic function " + n.Tag
	}
}

func isIntrinsic(key string) bool {
	return key == "Ref" || key == "Condition" || strings.HasPrefix(key, "Fn::")
}

// deref follows an alias (*anchor) to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	// An alias names an anchored node, never another alias; the bound guards malformed trees.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}
