package demo

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller/history"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

// statusPage is the HTTP endpoint `flarewarden run` serves (the status
// page at /, /status, /status/history, /metrics...), here showing the
// demo: its history records every pass and health round of the story,
// and of the daemon that --serve keeps running after it.
type statusPage struct {
	URL     string // the page's address, http://host:port/
	State   *service.RunState
	History *history.History
	Metrics *metrics.Metrics
	bg      *service.Background
}

// startStatusPage serves the endpoint on addr until ctx ends; an endpoint
// that fails while serving calls fail. No token is set: POST /reconcile is
// accepted from loopback clients only.
func startStatusPage(ctx context.Context, fail func(), addr string, log *zap.Logger) (*statusPage, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("status page (--listen): %w", err)
	}
	p := &statusPage{URL: pageURL(ln.Addr()), State: service.NewRunState(nil, service.LeaderView{}),
		History: history.New(time.Now), Metrics: metrics.New()}
	p.Metrics.SetLeader(true) // no leader election: this process runs the passes
	e := &service.Endpoint{State: p.State, Metrics: p.Metrics, History: p.History, Log: log.Named("http"), Now: time.Now}
	p.bg = service.ServeInBackground(ctx, ln, e.Handler(), e.Log, fail)
	return p, nil
}

// Wait waits for the endpoint to stop (its context ended) and returns its
// error, nil after a clean shutdown.
func (p *statusPage) Wait() error { return p.bg.Wait() }

// pageURL is the URL a browser on this machine opens for the listener at
// addr: an unspecified address (0.0.0.0, ::) is reached at 127.0.0.1.
func pageURL(addr net.Addr) string {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ap.Addr().IsUnspecified() {
		ap = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), ap.Port())
	}
	return "http://" + ap.String() + "/"
}
