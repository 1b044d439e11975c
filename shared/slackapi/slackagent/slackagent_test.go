package slackagent

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// slack-go, the library frontdesk parses Slack's requests with, reads what these build.
func TestParsedBySlackGo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 123456000, time.UTC)
	if got := TS(now); got != "1796378400.123456" {
		t.Errorf("TS = %q", got)
	}
	body, err := Reply("C0LOCALDESK", "1796378000.000001", "U0AGENT", "note: checked", TS(now), now)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || m.Channel != "C0LOCALDESK" || m.ThreadTimeStamp != "1796378000.000001" || m.User != "U0AGENT" || m.Text != "note: checked" {
		t.Errorf("message event = %+v", ev.InnerEvent.Data)
	}

	body, err = Press(Button{Channel: "C0LOCALDESK", MessageTS: "1796378000.000002", ThreadTS: "1796378000.000001",
		User: "U0AGENT", ActionID: "send_answer", Value: "shipping_time", BlockID: "suggestion_0"}, now)
	if err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
		t.Fatal(err)
	}
	a := ic.ActionCallback.BlockActions
	if ic.Type != slack.InteractionTypeBlockActions || ic.Container.ThreadTs != "1796378000.000001" || ic.Container.MessageTs != "1796378000.000002" ||
		len(a) != 1 || a[0].ActionID != "send_answer" || a[0].Value != "shipping_time" || a[0].ActionTs != TS(now) {
		t.Errorf("interaction = %+v", ic)
	}
}
