package app

import (
	"fmt"
	"net/http"

	"github.com/frontdesk-app/frontdesk/shared/bot"
	"github.com/frontdesk-app/frontdesk/shared/samtemplate"
)

// Stack is every function of frontdesk built from one set of dependencies: the HTTP handlers by
// the function's source directory (a route's CodeURI in template.yaml) and the queue consumer.
type Stack struct {
	// Handlers maps a function's CodeURI ("functions/meta-webhook/") to its handler.
	Handlers map[string]http.Handler
	Bot      *bot.Bot
}

// NewStack builds every handler. The queue in d receives what the ingress handlers enqueue;
// it may be set after NewStack only if it is the same Sender value (a queue is typically
// created with the bot as its consumer: build the stack with a forwarding Sender).
func NewStack(d Deps) (*Stack, error) {
	b, err := Bot(d)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	s := &Stack{Bot: b, Handlers: map[string]http.Handler{}}
	for _, f := range Functions {
		build := HTTPFor(f.Name)
		if build == nil {
			continue
		}
		h, err := build(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.CodeURI(), err)
		}
		s.Handlers[f.CodeURI()] = h
	}
	return s, nil
}

// Mux mounts each route on the handler of its function. A route whose function has no handler
// is an error, so the template and the handlers cannot drift apart.
func (s *Stack) Mux(routes []samtemplate.Route) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	for _, r := range routes {
		h, ok := s.Handlers[r.CodeURI]
		if !ok {
			return nil, fmt.Errorf("route %s %s of %s: no handler for %s", r.Method, r.Path, r.Function, r.CodeURI)
		}
		mux.Handle(r.Pattern(), h)
	}
	return mux, nil
}
