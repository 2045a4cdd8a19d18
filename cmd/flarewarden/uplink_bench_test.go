package main

import (
	"cmp"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// BenchmarkUplinkFailover measures, on the simulator, the time from the
// fiber uplink's failure (Cloudflare's connections to its address
// refused) to site.example.com holding lte's address, with health rounds
// every FLAREWARDEN_BENCH_HEALTH_INTERVAL (30s, the default interval,
// unless set) and the default fail_after of 2. The failure lands at a
// random point of a round, as a real one does. Each iteration also waits
// for the record to move back (recover_after, untimed). It reports
// s/failover, the mean time of the iterations.
func BenchmarkUplinkFailover(b *testing.B) {
	interval := cmp.Or(os.Getenv("FLAREWARDEN_BENCH_HEALTH_INTERVAL"), "30s")
	every, err := time.ParseDuration(interval)
	if err != nil {
		b.Fatalf("FLAREWARDEN_BENCH_HEALTH_INTERVAL: %v", err)
	}
	u := newUplinkWorld(b)
	u.configureEvery("failover", interval)
	u.patience = 10 * every
	stop := u.startDaemon()
	u.waitFor("site on fiber", holds(u, fiberIP), stop)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		time.Sleep(rand.N(every))
		b.StartTimer()
		start := time.Now()
		u.kill(fiberIP)
		u.waitFor("site on lte", holds(u, lteIP), stop)
		took := time.Since(start)
		total += took
		b.StopTimer()
		b.Logf("failover in %.1f s", took.Seconds())
		u.revive(fiberIP)
		u.waitFor("site back on fiber", holds(u, fiberIP), stop)
		b.StartTimer()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/failover")
}
