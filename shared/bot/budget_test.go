package bot

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// slowAfter is a Sender that makes the Graph fake slow (10 s per answer) from its n+1th send on.
type slowAfter struct {
	Sender
	r     *rig
	n     int32
	sends atomic.Int32
}

func (s *slowAfter) Send(ctx context.Context, key channel.Key, r channel.Reply) (string, error) {
	if s.sends.Add(1) > s.n {
		s.r.graph.SetDelay(10 * time.Second)
	}
	return s.Sender.Send(ctx, key, r)
}

func customer(i int) channel.Inbound {
	in := whatsappText("wamid.BUDGET"+string(rune('A'+i)), "hallo")
	in.Key.User = "49170000000" + string(rune('0'+i))
	return in
}

// With a Graph API that answers after 10 s, the batch does not run into the invocation's
// deadline: the record whose send hangs is cut off Reserve before it, the records left are
// reported failed, and the invocation returns in time. The queue's redelivery then finds the
// conversation free and answers each customer once.
func TestBudgetSlowGraph(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("Hallo!"))
	slow := &slowAfter{Sender: r.bot.Sender, r: r, n: 1}
	r.bot.Sender = slow
	r.bot.Reserve = 300 * time.Millisecond
	ins := []channel.Inbound{customer(0), customer(1), customer(2)}

	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond) // the function's timeout
	defer cancel()
	start := time.Now()
	resp, err := r.bot.HandleSQS(ctx, sqsEvent(t, ins...))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("HandleSQS returned after %v, past the invocation's deadline", took)
	}
	if got, want := failures(resp), []string{"msg-1", "msg-2"}; !slices.Equal(got, want) {
		t.Fatalf("failures = %v, want %v (the first answered, the cut-off one and the one not taken)", got, want)
	}
	t.Logf("returned after %v of a 1.5 s budget", took.Round(time.Millisecond))

	// Redelivered with Graph fast again: each customer is answered once, the first not again.
	r.graph.SetDelay(0)
	slow.n = 1 << 30
	resp, err = r.bot.HandleSQS(context.Background(), sqsEvent(t, ins[1:]...))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery = %v, %v; want no failures (the cut-off record must have released its lease)", failures(resp), err)
	}
	resp, _ = r.bot.HandleSQS(context.Background(), sqsEvent(t, ins[0]))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery of the answered record failed: %v", failures(resp))
	}
	per := map[any]int{}
	for _, req := range r.graph.Requests() {
		per[req.JSON["to"]]++
	}
	// Customer 1's first send was abandoned at the deadline (nobody read an answer); each
	// customer has one send that Graph answered.
	if per[ins[0].Key.User] != 1 || per[ins[1].Key.User] != 2 || per[ins[2].Key.User] != 1 {
		t.Errorf("sends per customer = %v, want 1, 2 (one abandoned), 1", per)
	}
}

// With less than twice the reserve left, no record is taken: all are reported failed at once.
func TestBudgetTooLittleTime(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("Hallo!"))
	r.bot.Reserve = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	resp, err := r.bot.HandleSQS(ctx, sqsEvent(t, customer(0), customer(1)))
	if err != nil || !slices.Equal(failures(resp), []string{"msg-0", "msg-1"}) {
		t.Fatalf("HandleSQS = %v, %v; want both failed", failures(resp), err)
	}
	if n := len(r.graph.Requests()); n != 0 {
		t.Errorf("%d Graph requests, want none", n)
	}
}
