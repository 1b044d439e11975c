package slackapi

import (
	"net/http"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// dispatch hands agent events of one thread to the bot, the same way for messages and buttons:
// it looks up the thread's conversation (a thread that is no escalation is acknowledged and
// ignored), marks each event seen (a retry or replay of it is acknowledged and dropped),
// enqueues it in the conversation's FIFO group, and forgets the mark when the enqueue fails, so
// Slack's retry is not taken for a replay. It answers the request: 200, or the error.
func (h *handler) dispatch(w http.ResponseWriter, r *http.Request, events ...channel.AgentEvent) {
	const op apperr.Op = "slackapi.dispatch"
	ctx := r.Context()
	if len(events) == 0 {
		writeOK(w)
		return
	}
	conv, err := h.lookup(ctx, events[0].Channel, events[0].ThreadTS)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if conv == nil {
		h.log.InfoContext(ctx, "slack agent event ignored", "reason", "thread is not an open escalation", "channel", events[0].Channel)
		writeOK(w)
		return
	}
	for _, ev := range events {
		ev.Key = conv.Key
		if ev.At.IsZero() {
			ev.At = h.now().UTC()
		}
		log := h.log.With("event", ev)
		seenID := "slack:" + ev.ID
		first, err := h.cfg.Dedup.MarkSeen(ctx, seenID, h.now().Add(h.cfg.SeenFor))
		if err != nil {
			h.fail(w, r, apperr.Wrap(op, apperr.Transient, err, "cannot record event"))
			return
		}
		if !first {
			log.InfoContext(ctx, "slack agent event ignored", "reason", "already seen")
			continue
		}
		if err := h.enqueue(ctx, conv.Key, &ev); err != nil {
			if ferr := h.cfg.Dedup.ForgetSeen(ctx, seenID); ferr != nil {
				log.ErrorContext(ctx, "slack dedup release failed: Slack's retry will be dropped", "err", ferr)
			}
			h.fail(w, r, err)
			return
		}
		log.InfoContext(ctx, "slack agent event queued")
	}
	writeOK(w)
}
