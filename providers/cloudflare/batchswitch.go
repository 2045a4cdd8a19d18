package cloudflare

import (
	"sync"
	"time"
)

// batchRetry is how long Apply uses single calls after the batch endpoint
// answered as missing, before it tries the batch again: a missing endpoint
// may come back (a proxy in between, an API incident). A takeover does not
// wait for it: its chunk tries the batch on every Apply.
const batchRetry = time.Hour

// batchSwitch remembers that the batch endpoint answered as missing, for
// batchRetry. The zero value is on (batch in use). Safe for concurrent use.
type batchSwitch struct {
	mu       sync.Mutex
	offUntil time.Time
	now      func() time.Time // nil means time.Now
}

func (b *batchSwitch) clock() time.Time {
	if b.now != nil {
		return b.now()
	}
	return time.Now()
}

// off reports whether single calls are to be used now.
func (b *batchSwitch) off() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.clock().Before(b.offUntil)
}

// turnOff switches to single calls for batchRetry; it returns true when
// the batch was in use until now (the caller then warns).
func (b *batchSwitch) turnOff() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock()
	wasOn := !now.Before(b.offUntil)
	b.offUntil = now.Add(batchRetry)
	return wasOn
}

// turnOn puts the batch back in use; it returns true when it was off (the
// caller then says so).
func (b *batchSwitch) turnOn() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	wasOff := b.clock().Before(b.offUntil)
	b.offUntil = time.Time{}
	return wasOff
}
