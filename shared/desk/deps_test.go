package desk_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDomainImportsNoAdapter: the bot and the sweeper speak the desk's domain values; Slack and
// Meta's Graph API are adapters at the edge that they never import, directly or through
// another package.
func TestDomainImportsNoAdapter(t *testing.T) {
	t.Parallel()
	const module = "github.com/frontdesk-app/frontdesk/shared/"
	roots := []string{module + "bot", module + "sweeper", module + "desk"}
	out, err := exec.CommandContext(t.Context(), "go", append([]string{"list", "-deps"}, roots...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, root := range roots {
		if !slices.Contains(deps, root) {
			t.Fatalf("go list -deps names %d packages without %s: not the list of these packages", len(deps), root)
		}
	}
	for _, adapter := range []string{"slackapi", "graph", "slack-go", "aws-sdk-go"} {
		for _, d := range deps {
			if strings.Contains(d, adapter) {
				t.Errorf("the bot, the sweeper or the desk depends on %s", d)
			}
		}
	}
}
