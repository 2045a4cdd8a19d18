package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// apiPrefix is the path prefix of the real API; requests may omit it.
const apiPrefix = "/client/v4"

// maxBodyBytes bounds a request body; larger bodies are answered as invalid.
const maxBodyBytes = 8 << 20

// Server is a simulated Cloudflare API v4. It is an http.Handler and is safe
// for concurrent use; the zero value is not usable, call New.
type Server struct {
	clock      func() time.Time
	batch      bool
	maxPerPage int
	batchLimit int
	ruleLimit  int // rules per ruleset; 0 = unlimited
	bulkPolls  int // polls a bulk operation answers before it completes
	// The edge's way to origins (see Edge); fixed at construction.
	originTimeout time.Duration
	resolver      func(ctx context.Context, host string) ([]netip.Addr, error)

	mu         sync.Mutex // guards everything below
	tokens     map[string]*token
	zones      map[string]*zoneState    // by zone id
	accounts   map[string]*accountState // by account id
	operations map[string]*operation    // list bulk operations, by id
	recordSeq  uint64
	tokenSeq   uint64
	raySeq     uint64
	idSeq      uint64 // rules, access rules, lists, list items, operations
	log        []*Request
	faults     []*activeFault
	origins    map[netip.Addr]string // public origin address -> local host:port
	originsSet bool                  // WithOrigins or SetOrigin was used
}

// New returns an empty simulator (no tokens, no zones, only the default
// account) configured by opts.
func New(opts ...Option) *Server {
	s := &Server{
		clock:         time.Now,
		batch:         true,
		maxPerPage:    5000,
		batchLimit:    200,
		bulkPolls:     1,
		originTimeout: defaultOriginTimeout,
		tokens:        map[string]*token{},
		zones:         map[string]*zoneState{},
		accounts:      map[string]*accountState{},
		operations:    map[string]*operation{},
		origins:       map[netip.Addr]string{},
	}
	s.accounts[DefaultAccountID] = newAccount(DefaultAccountID, defaultAccountName)
	for _, o := range opts {
		o(s)
	}
	return s
}

// call is one API request on its way through dispatch.
type call struct {
	method  string
	path    string // without the /client/v4 prefix
	query   url.Values
	header  http.Header
	body    []byte
	params  map[string]string
	remote  netip.Addr    // the client's address (invalid if unknown)
	token   *token        // nil when the bearer token is unknown
	zone    *zoneState    // set when the path names a zone
	account *accountState // set when the path names an account
}

// ServeHTTP answers one API request. Paths may carry the /client/v4 prefix
// or not. The request is logged on arrival, then injected faults are
// applied, then it is routed, authenticated and handled.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	entry, fault, ray := s.arrive(r, body)
	if fault != nil {
		if status, answered := applyFault(w, r, *fault, ray); answered {
			s.setStatus(entry, status)
			return
		}
	}
	resp := s.handle(r, body, readErr)
	s.setStatus(entry, resp.status)
	resp.write(w, ray)
}

// arrive logs r and picks the fault (if any) that applies to it.
func (s *Server) arrive(r *http.Request, body []byte) (*Request, *Fault, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ray := s.newRay()
	return s.appendLog(r, body), s.takeFault(r.Method, r.URL.Path), ray
}

// newRay returns the next cf-ray value. The caller holds s.mu.
func (s *Server) newRay() string {
	s.raySeq++
	return fmt.Sprintf("%016x-SIM", s.raySeq)
}

// handle routes and answers a request that no fault intercepted.
func (s *Server) handle(r *http.Request, body []byte, readErr error) response {
	if readErr != nil {
		return errorResponse(errBadBody())
	}
	c := &call{
		method: r.Method,
		path:   trimPrefix(r.URL.Path),
		query:  r.URL.Query(),
		header: r.Header,
		body:   body,
		remote: remoteAddr(r),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rep, err := s.dispatch(c)
	if err != nil {
		return errorResponse(err)
	}
	return successResponse(rep)
}

// dispatch applies, in order: routing, authentication (see authenticate),
// the zone or account named by the path (a bad one is a 7003, followed by
// a 7000 when no route takes the request either), the 404/405 of an
// unmatched route, write permission, and finally the route's handler. The
// caller holds s.mu.
func (s *Server) dispatch(c *call) (reply, *apiError) {
	rt, routeErr := routes.match(c)
	if err := s.authenticate(c, rt.selfAuth && routeErr == nil); err != nil {
		return reply{}, err
	}
	if err := s.resolveZone(c); err != nil {
		return reply{}, err.unrouted(routeErr)
	}
	if err := s.resolveAccount(c); err != nil {
		return reply{}, err.unrouted(routeErr)
	}
	if routeErr != nil {
		return reply{}, routeErr
	}
	if c.method != http.MethodGet && c.token.readOnly {
		return reply{}, errAuth()
	}
	return rt.handle(s, c)
}

// remoteAddr is the address of r's client, unmapped from IPv6 (invalid
// when r.RemoteAddr is not an address and port).
func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func trimPrefix(path string) string {
	if rest, ok := strings.CutPrefix(path, apiPrefix); ok && (rest == "" || rest[0] == '/') {
		return rest
	}
	return path
}

// now is the simulator clock in UTC.
func (s *Server) now() time.Time {
	return s.clock().UTC()
}
