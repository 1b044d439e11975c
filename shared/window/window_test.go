package window

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	last := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	day, week := 24*time.Hour, 7*24*time.Hour
	tests := []struct {
		name     string
		surface  channel.Surface
		after    time.Duration // Now - last
		human    bool
		template string
		never    bool // no inbound at all
		want     Decision
	}{
		{"whatsapp just now", channel.WhatsApp, 0, false, "", false, Decision{Action: Send, Reason: "inside the 24-hour window", ClosesAt: last.Add(day)}},
		{"whatsapp last second", channel.WhatsApp, day - time.Second, false, "", false, Decision{Action: Send, Reason: "inside the 24-hour window", ClosesAt: last.Add(day)}},
		{"whatsapp at 24h with template", channel.WhatsApp, day, true, "agent_replied", false, Decision{Action: SendTemplate, Template: "agent_replied", Reason: "the 24-hour window closed — template sent instead"}},
		{"whatsapp at 24h without template", channel.WhatsApp, day, true, "", false, Decision{Action: Refuse, Reason: "the 24-hour window closed and no WhatsApp template is configured — the customer must write first"}},
		{"whatsapp after 30 days with template", channel.WhatsApp, 30 * day, false, "agent_replied", false, Decision{Action: SendTemplate, Template: "agent_replied", Reason: "the 24-hour window closed — template sent instead"}},
		{"messenger inside", channel.Messenger, day - time.Nanosecond, false, "", false, Decision{Action: Send, Reason: "inside the 24-hour window", ClosesAt: last.Add(day)}},
		{"messenger at 24h human", channel.Messenger, day, true, "", false, Decision{Action: SendTagged, Tag: "HUMAN_AGENT", Reason: "the 24-hour window closed — sent with the HUMAN_AGENT tag", ClosesAt: last.Add(week)}},
		{"messenger at 24h bot", channel.Messenger, day, false, "", false, Decision{Action: Refuse, Reason: "the 24-hour window closed — only a human agent may answer until 7 days after the customer's last message"}},
		{"instagram 7d minus 1s human", channel.Instagram, week - time.Second, true, "", false, Decision{Action: SendTagged, Tag: "HUMAN_AGENT", Reason: "the 24-hour window closed — sent with the HUMAN_AGENT tag", ClosesAt: last.Add(week)}},
		{"instagram at 7d human", channel.Instagram, week, true, "", false, Decision{Action: Refuse, Reason: "more than 7 days since the customer's last message — the customer must write first"}},
		{"messenger template is ignored", channel.Messenger, 2 * day, false, "agent_replied", false, Decision{Action: Refuse, Reason: "the 24-hour window closed — only a human agent may answer until 7 days after the customer's last message"}},
		{"comment fresh", channel.Comment, time.Minute, false, "", false, Decision{Action: Send, Reason: "private reply to the comment (one per comment, within 7 days)", ClosesAt: last.Add(week)}},
		{"comment 7d minus 1s", channel.Comment, week - time.Second, false, "", false, Decision{Action: Send, Reason: "private reply to the comment (one per comment, within 7 days)", ClosesAt: last.Add(week)}},
		{"comment at 7d", channel.Comment, week, true, "", false, Decision{Action: Refuse, Reason: "the comment is more than 7 days old — a private reply is no longer allowed; the customer must write first"}},
		{"never wrote", channel.WhatsApp, 0, true, "agent_replied", true, Decision{Action: Refuse, Reason: "the customer must write first"}},
		{"clock skew counts as now", channel.Messenger, -time.Hour, false, "", false, Decision{Action: Send, Reason: "inside the 24-hour window", ClosesAt: last.Add(day)}},
		{"unknown surface", channel.Surface("sms"), 0, false, "", false, Decision{Action: Refuse, Reason: "unknown surface sms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Surface: tt.surface, LastInbound: last, Now: last.Add(tt.after), Human: tt.human, Template: tt.template}
			if tt.never {
				in.LastInbound = time.Time{}
			}
			if diff := cmp.Diff(tt.want, Decide(in)); diff != "" {
				t.Errorf("Decide mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
