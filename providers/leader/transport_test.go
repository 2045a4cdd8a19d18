package leader

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
)

// A term past its deadline by the clock refuses requests and ends at once, before its timer has
// fired (as right after a stall, when overdue timers fire in no particular order).
func TestTransportRefusesRequestsOfTermPastItsDeadline(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served.Add(1) }))
	defer srv.Close()
	client := &http.Client{Transport: Transport(nil)}
	send := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/record", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return err
	}

	if err := send(context.Background()); err != nil {
		t.Fatalf("a request outside any term: %v", err)
	}
	f := newFence(context.Background(), time.Hour, zap.NewNop())
	defer f.stop(errCampaignEnded)
	f.renewed(time.Now())
	ctx, cancel := context.WithCancel(withTerm(context.Background(), f)) // as a pass derives it
	defer cancel()
	if err := send(ctx); err != nil {
		t.Fatalf("a request of a live term: %v", err)
	}
	f.mu.Lock()
	f.deadline = time.Now().Add(-time.Millisecond) // the clock passed it; the timer has not fired
	f.mu.Unlock()
	err := send(ctx)
	if !errors.Is(err, ErrTermEnded) || !errors.Is(err, errRenewalOverdue) {
		t.Errorf("a request of a term past its deadline: %v, want ErrTermEnded (renewal overdue)", err)
	}
	if n := served.Load(); n != 2 {
		t.Errorf("the server got %d requests, want 2", n)
	}
	select {
	case <-f.Done():
	default:
		t.Error("the check did not end the term")
	}
}

func TestCheckTermBeforeRenewalAndAfterStop(t *testing.T) {
	f := newFence(context.Background(), time.Hour, zap.NewNop())
	ctx := withTerm(context.Background(), f)
	if err := CheckTerm(ctx); !errors.Is(err, ErrTermEnded) {
		t.Errorf("before any renewal: %v, want ErrTermEnded", err)
	}
	f.renewed(time.Now())
	if err := CheckTerm(ctx); err != nil {
		t.Errorf("live: %v", err)
	}
	f.stop(errReleasing)
	if err := CheckTerm(ctx); !errors.Is(err, ErrTermEnded) || !errors.Is(err, errReleasing) {
		t.Errorf("after stop: %v, want ErrTermEnded (releasing)", err)
	}
	if err := CheckTerm(context.Background()); err != nil {
		t.Errorf("outside a term: %v", err)
	}
	// A term that client-go ended (leadership lost) while its fence still runs.
	g := newFence(context.Background(), time.Hour, zap.NewNop())
	defer g.stop(errCampaignEnded)
	g.renewed(time.Now())
	termCtx, endTerm := context.WithCancel(context.Background())
	ctx = withTerm(termCtx, g)
	if err := CheckTerm(ctx); err != nil {
		t.Errorf("live: %v", err)
	}
	endTerm()
	if err := CheckTerm(ctx); !errors.Is(err, ErrTermEnded) || !errors.Is(err, context.Canceled) {
		t.Errorf("after the term's context ended: %v, want ErrTermEnded (canceled)", err)
	}
}

// lead's context carries its term: CheckTerm allows it while leading, refuses it once the term
// has ended.
func TestLeadContextCarriesItsTerm(t *testing.T) {
	client := &casStore{}
	var termCtx atomic.Pointer[context.Context]
	a := startElector(t, client, "a", options{releaseOnCancel: true}, func(ctx context.Context) {
		termCtx.Store(&ctx)
		<-ctx.Done()
	})
	waitFor(t, "a leads", testLease, func() bool { return termCtx.Load() != nil })
	ctx := *termCtx.Load()
	if err := CheckTerm(ctx); err != nil {
		t.Errorf("while leading: %v", err)
	}
	a.stop(t)
	if err := CheckTerm(ctx); !errors.Is(err, ErrTermEnded) {
		t.Errorf("after Run returned: %v, want ErrTermEnded", err)
	}
}
