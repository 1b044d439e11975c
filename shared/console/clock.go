package console

import (
	"sync"
	"time"
)

// Clock is the local stack's settable clock: the wall clock moved forward by an offset. Every
// part of the local stack reads it (the Now of the app's dependencies, the store's expiry, the
// outbox), so moving it forward shows what a day's wait does: a closed 24-hour window, a
// re-announced escalation. It only moves forward.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	wall   func() time.Time
}

// NewClock returns a clock at the wall clock's time.
func NewClock() *Clock { return &Clock{wall: time.Now} }

// Now is the local time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall().Add(c.offset)
}

// Advance moves the clock forward by d (d > 0).
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Offset is how far the clock is ahead of the wall clock.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}
