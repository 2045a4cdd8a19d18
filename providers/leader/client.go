package leader

import (
	"fmt"

	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// userAgent names flarewarden in the API server's audit log.
const userAgent = "flarewarden-leader-election"

// newLeasesClient builds a client for coordination.k8s.io Leases from c.Kubeconfig, or from the
// in-cluster config when it is empty. Each request is bounded by half of c.RenewDeadline, so that
// one hung request cannot use up a whole renewal.
func newLeasesClient(c Config) (coordinationv1.LeasesGetter, error) {
	rc, err := restConfig(c.Kubeconfig)
	if err != nil {
		return nil, err
	}
	rc.UserAgent = userAgent
	if rc.Timeout == 0 {
		rc.Timeout = c.RenewDeadline / 2
	}
	client, err := coordinationv1.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("leader: kubernetes client for %s: %w", rc.Host, err)
	}
	return client, nil
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
