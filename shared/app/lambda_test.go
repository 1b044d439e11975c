package app

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"log/slog"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/config"
)

// handlerFor is the Lambda handler of the function named name: BotHandler, SweeperHandler,
// or HTTP of its HTTPFor builder; nil for an unknown name.
func handlerFor(name string) Handler {
	switch name {
	case "bot":
		return BotHandler
	case "sweeper":
		return SweeperHandler
	}
	if h := HTTPFor(name); h != nil {
		return HTTP(h)
	}
	return nil
}

func TestSetup(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"FRONTDESK_TABLE": "t", "FRONTDESK_QUEUE_URL": "https://sqs.eu-central-1.amazonaws.com/1/q.fifo",
		"META_APP_SECRET": "s", "META_VERIFY_TOKEN": "v", "SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1",
		"SLACK_CHANNEL": "C1", "SLACK_TEAM_IDS": "T1,E1", "SLACK_APP_ID": "A1", "CONSENT_API_KEY": "k", "SUBJECT_PEPPER": "sixteen-bytes-pepper",
	}
	logger := slog.New(slog.DiscardHandler)
	fn := func(name string) Function {
		f, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tt := range []struct {
		name    string
		fn      Function
		drop    string // a variable left out
		wantErr string
	}{
		{"meta-webhook", fn("meta-webhook"), "", ""},
		{"meta-webhook without its queue", fn("meta-webhook"), "FRONTDESK_QUEUE_URL", "FRONTDESK_QUEUE_URL"},
		{"meta-webhook without its secret", fn("meta-webhook"), "META_APP_SECRET", "META_APP_SECRET"},
		{"bot", fn("bot"), "", ""},
		{"bot without a Slack token", fn("bot"), "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"},
		{"bot without its channel", fn("bot"), "SLACK_CHANNEL", "SLACK_CHANNEL"},
		{"consent", fn("consent"), "", ""},
		{"slack", fn("slack"), "", ""},
		{"slack without its workspaces", fn("slack"), "SLACK_TEAM_IDS", "SLACK_TEAM_IDS"},
		{"slack without its app", fn("slack"), "SLACK_APP_ID", "SLACK_APP_ID"},
		{"sweeper", fn("sweeper"), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == tt.drop {
					return ""
				}
				return full[k]
			}
			h, err := setup(context.Background(), getenv, logger, tt.fn, handlerFor(tt.fn.Name))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || h == nil {
				t.Fatalf("setup = %v, %v; want a handler", h, err)
			}
		})
	}
}

// TestFunctionsHoldOnlyTheirSecrets: a function built from an environment that holds every
// secret keeps only its own (the internet-facing webhook never holds the channel tokens).
func TestFunctionsHoldOnlyTheirSecrets(t *testing.T) {
	t.Parallel()
	getenv := func(k string) string {
		if slices.Contains(config.SecretEnvVars(), k) {
			return "value-of-" + k
		}
		return map[string]string{"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}[k]
	}
	for _, f := range Functions {
		d, err := AWS(context.Background(), getenv, slog.New(slog.DiscardHandler), f.Secrets)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range config.SecretEnvVars() {
			held := d.Config.Require(s) == nil
			if want := slices.Contains(f.Secrets, s); held != want {
				t.Errorf("%s holds %s: %v, want %v", f.Name, s, held, want)
			}
		}
	}
}

// TestMainsPassTheirHandler reads functions/*/main.go: each main is app.Main with its folder's
// name and the handler handlerFor gives that name (app.X, or app.HTTP(app.X) for a function
// behind API Gateway), so a main cannot start another function's code.
func TestMainsPassTheirHandler(t *testing.T) {
	t.Parallel()
	mains, err := filepath.Glob("../../functions/*/main.go")
	if err != nil || len(mains) != len(Functions) {
		t.Fatalf("found mains %q (%v), want one per function (%d)", mains, err, len(Functions))
	}
	funcName := func(f any) string {
		n := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
		return n[strings.LastIndex(n, ".")+1:]
	}
	for _, path := range mains {
		name := filepath.Base(filepath.Dir(path))
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var call *ast.CallExpr
		ast.Inspect(file, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && types.ExprString(c.Fun) == "app.Main" {
				call = c
			}
			return call == nil
		})
		if call == nil || len(call.Args) != 2 {
			t.Errorf("%s: no app.Main(name, handler) call", path)
			continue
		}
		if got := types.ExprString(call.Args[0]); got != strconv.Quote(name) {
			t.Errorf("%s: app.Main(%s, …), want %q", path, got, name)
		}
		want := "app." + funcName(handlerFor(name))
		if h := HTTPFor(name); h != nil {
			want = "app.HTTP(app." + funcName(h) + ")"
		}
		if got := types.ExprString(call.Args[1]); got != want {
			t.Errorf("%s passes %s, want %s", path, got, want)
		}
	}
}
