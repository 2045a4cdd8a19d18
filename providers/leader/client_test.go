package leader

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// leaseServer is a minimal API server for one Lease: it records the requests it gets and answers
// each from reply.
type leaseServer struct {
	mu       sync.Mutex
	requests []string // method, path, user agent, body
	reply    func(r *http.Request, body []byte) (int, any)
}

func (s *leaseServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path+" "+r.UserAgent()+" "+string(body))
	s.mu.Unlock()
	code, v := s.reply(r, body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// kubeconfigFor writes a kubeconfig for the server at url and returns its path.
func kubeconfigFor(t *testing.T, url string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	kc := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "` + url + `"}}]
users: [{name: u, user: {token: secret}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testLeasesClient is the Leases client of namespace ns for the server at url, through a
// kubeconfig, with its Config; renewDeadline 0 means the default.
func testLeasesClient(t *testing.T, url string, renewDeadline time.Duration) (leaseClient, Config) {
	t.Helper()
	c, err := Config{Kubeconfig: kubeconfigFor(t, url), Namespace: "ns", Name: "lease", Identity: "a",
		RenewDeadline: renewDeadline}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	client, err := newLeasesClient(c)
	if err != nil {
		t.Fatal(err)
	}
	return client, c
}

func status(code int, reason metav1.StatusReason) metav1.Status {
	return metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
		Code: int32(code), Reason: reason, Message: string(reason)}
}

// The client speaks the Leases API: paths, verbs, user agent, JSON bodies, and the API server's
// Status answers as errors that apierrors classifies.
func TestLeasesClientRequestsAndErrors(t *testing.T) {
	holderA := "a"
	stored := coordv1.Lease{TypeMeta: metav1.TypeMeta{Kind: "Lease", APIVersion: "coordination.k8s.io/v1"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "lease", ResourceVersion: "7"},
		Spec:       coordv1.LeaseSpec{HolderIdentity: &holderA}}
	srv := &leaseServer{}
	srv.reply = func(r *http.Request, body []byte) (int, any) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/missing"):
			return http.StatusNotFound, status(http.StatusNotFound, metav1.StatusReasonNotFound)
		case r.Method == http.MethodGet:
			return http.StatusOK, stored
		case r.Method == http.MethodPost:
			var l coordv1.Lease
			if err := json.Unmarshal(body, &l); err != nil {
				return http.StatusBadRequest, status(http.StatusBadRequest, metav1.StatusReasonBadRequest)
			}
			l.ResourceVersion = "1"
			return http.StatusCreated, l
		default:
			return http.StatusConflict, status(http.StatusConflict, metav1.StatusReasonConflict)
		}
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client, _ := testLeasesClient(t, ts.URL, 0)
	ctx := context.Background()

	got, err := client.Get(ctx, "lease")
	if err != nil || got.ResourceVersion != "7" || holderOf(got) != "a" {
		t.Errorf("Get = %+v, %v; want the stored Lease", got, err)
	}
	if _, err := client.Get(ctx, "missing"); !apierrors.IsNotFound(err) {
		t.Errorf("Get of a missing Lease: %v, want not found", err)
	}
	created, err := client.Create(ctx, &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "new"},
		Spec: coordv1.LeaseSpec{HolderIdentity: &holderA}})
	if err != nil || created.Name != "new" || created.ResourceVersion != "1" || holderOf(created) != "a" {
		t.Errorf("Create = %+v, %v", created, err)
	}
	if _, err := client.Update(ctx, stored.DeepCopy()); !apierrors.IsConflict(err) {
		t.Errorf("Update answered 409: %v, want a conflict", err)
	}

	want := []string{
		"GET /apis/coordination.k8s.io/v1/namespaces/ns/leases/lease " + userAgent + " ",
		"GET /apis/coordination.k8s.io/v1/namespaces/ns/leases/missing " + userAgent + " ",
		"POST /apis/coordination.k8s.io/v1/namespaces/ns/leases " + userAgent + ` {"kind":"Lease","apiVersion":"coordination.k8s.io/v1"`,
		"PUT /apis/coordination.k8s.io/v1/namespaces/ns/leases/lease " + userAgent + ` {"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"lease","namespace":"ns","resourceVersion":"7"`,
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.requests) != len(want) {
		t.Fatalf("requests %q, want %d", srv.requests, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(srv.requests[i], w) {
			t.Errorf("request %d = %q, want prefix %q", i, srv.requests[i], w)
		}
	}
}

// A hung API server fails a request after half of RenewDeadline.
func TestLeasesClientTimesOutRequests(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer ts.Close()
	defer close(release)
	client, c := testLeasesClient(t, ts.URL, 400*time.Millisecond)
	start := time.Now()
	if _, err := client.Get(context.Background(), "lease"); err == nil {
		t.Fatal("Get from a hung server succeeded")
	}
	if took := time.Since(start); took < 150*time.Millisecond || took > 2*time.Second {
		t.Errorf("Get failed after %v, want about %v", took, c.RenewDeadline/2)
	}
}
