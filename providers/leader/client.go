package leader

import (
	"context"
	"fmt"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// userAgent names flarewarden in the API server's audit log.
const userAgent = "flarewarden-leader-election"

// leaseClient is the part of the coordination.k8s.io/v1 Leases API of one namespace that the
// election uses. Errors from the API server are *apierrors.StatusError, so apierrors.IsNotFound and
// apierrors.IsConflict work on them.
type leaseClient interface {
	Get(ctx context.Context, name string) (*coordv1.Lease, error)
	Create(ctx context.Context, lease *coordv1.Lease) (*coordv1.Lease, error)
	Update(ctx context.Context, lease *coordv1.Lease) (*coordv1.Lease, error)
}

// newLeasesClient builds a client for the coordination.k8s.io Leases of c.Namespace from
// c.Kubeconfig, or from the in-cluster config when it is empty. Each request is bounded by half of
// c.RenewDeadline, so that one hung request cannot use up a whole renewal.
//
// It is client-go's REST client with a scheme of the Lease types only, not client-go's typed
// clientset: that one registers every API group of k8s.io/api (most of the binary's size).
func newLeasesClient(c Config) (leaseClient, error) {
	rc, err := restConfig(c.Kubeconfig)
	if err != nil {
		return nil, err
	}
	rc.UserAgent = userAgent
	if rc.Timeout == 0 {
		rc.Timeout = c.RenewDeadline / 2
	}
	gv := coordv1.SchemeGroupVersion
	rc.GroupVersion = &gv
	rc.APIPath = "/apis"
	rc.NegotiatedSerializer = leaseCodecs.WithoutConversion()
	client, err := rest.RESTClientFor(rc)
	if err != nil {
		return nil, fmt.Errorf("leader: kubernetes client for %s: %w", rc.Host, err)
	}
	return restLeases{client: client, namespace: c.Namespace}, nil
}

// leaseCodecs encodes and decodes Leases and the API server's Status answers.
var leaseCodecs = func() serializer.CodecFactory {
	s := runtime.NewScheme()
	if err := coordv1.AddToScheme(s); err != nil {
		panic(err)
	}
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"}) // Status
	return serializer.NewCodecFactory(s)
}()

// restLeases is leaseClient over client-go's REST client.
type restLeases struct {
	client    rest.Interface
	namespace string
}

func (l restLeases) Get(ctx context.Context, name string) (*coordv1.Lease, error) {
	return leaseOf(l.client.Get().Namespace(l.namespace).Resource("leases").Name(name).Do(ctx))
}

func (l restLeases) Create(ctx context.Context, lease *coordv1.Lease) (*coordv1.Lease, error) {
	return leaseOf(l.client.Post().Namespace(l.namespace).Resource("leases").Body(lease).Do(ctx))
}

func (l restLeases) Update(ctx context.Context, lease *coordv1.Lease) (*coordv1.Lease, error) {
	return leaseOf(l.client.Put().Namespace(l.namespace).Resource("leases").Name(lease.Name).Body(lease).Do(ctx))
}

// leaseOf is the Lease that answered a request, or its error.
func leaseOf(r rest.Result) (*coordv1.Lease, error) {
	out := &coordv1.Lease{}
	if err := r.Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// restConfig loads the kubeconfig at path, or the in-cluster config when path is empty.
func restConfig(path string) (*rest.Config, error) {
	if path == "" {
		rc, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("leader: in-cluster config (outside a cluster, set --kubeconfig): %w", err)
		}
		return rc, nil
	}
	rc, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("leader: Kubeconfig (--kubeconfig) %q: %w", path, err)
	}
	return rc, nil
}
