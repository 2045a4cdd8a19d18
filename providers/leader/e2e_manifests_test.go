package leader

import (
	"strings"
	"testing"
)

// TestE2EKustomizeServerDryRun validates deploy/kubernetes against a real API server: every
// object must be accepted by server-side validation and admission (a dry run), with no warning.
func TestE2EKustomizeServerDryRun(t *testing.T) {
	e := needE2E(t)
	e.kubectlAs(t, e.admin, nil, "apply", "-f", "deploy/kubernetes/namespace.yaml")
	out, stderr := e.kubectlAs(t, e.admin, nil, "apply", "--dry-run=server", "-k", "deploy/kubernetes")
	t.Logf("kubectl apply --dry-run=server -k deploy/kubernetes:\n%s", out)
	noWarnings(t, stderr)
	wantObjects(t, "kustomize", out)
	// The example Secret's reconcile-token ships empty (which `run` refuses): a placeholder string
	// would be a working bearer token for POST /reconcile once the user filled in only the API token.
	rendered, _ := e.kubectlAs(t, e.admin, nil, "kustomize", "deploy/kubernetes")
	if s := findObject(decodeObjects(t, rendered), "Secret", "flarewarden-cloudflare"); s == nil {
		t.Error("kustomize output has no Secret flarewarden-cloudflare")
	} else if v, ok := s.StringData["reconcile-token"]; !ok || v != "" || s.Data["reconcile-token"] != "" {
		t.Errorf("the example Secret's reconcile-token is %q, want present and empty", v)
	}
	// The image is :latest and the Deployment sets no imagePullPolicy: the API server's default
	// must then be Always, or a node would keep running the stale latest it pulled once.
	out, _ = e.kubectlAs(t, e.admin, nil, "apply", "--dry-run=server", "-k", "deploy/kubernetes", "-o",
		`jsonpath={range .items[?(@.kind=="Deployment")]}{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].imagePullPolicy}{end}`)
	if !strings.HasSuffix(out, ":latest Always") {
		t.Errorf("the Deployment's image and defaulted pull policy are %q, want :latest with Always", out)
	}
}

// helmNamespace is where the chart's rendering is validated.
const helmNamespace = "flarewarden-helm"

// TestE2EHelmChart lints the chart and validates its rendering against a real API server.
func TestE2EHelmChart(t *testing.T) {
	e := needE2E(t)
	out, _ := e.run(t, nil, e.helm, "lint", "--strict", "deploy/helm/flarewarden")
	t.Logf("helm lint:\n%s", out)
	// A namespace of its own: the kustomize objects may exist in flarewarden.
	ns, _ := e.kubectlAs(t, e.admin, nil, "create", "namespace", helmNamespace, "--dry-run=client", "-o", "yaml")
	e.kubectlAs(t, e.admin, []byte(ns), "apply", "-f", "-")
	manifest, _ := e.run(t, nil, e.helm, "template", "flarewarden", "deploy/helm/flarewarden", "--namespace", helmNamespace)
	out, stderr := e.kubectlAs(t, e.admin, []byte(manifest), "apply", "--dry-run=server", "-n", helmNamespace, "-f", "-")
	t.Logf("helm template | kubectl apply --dry-run=server:\n%s", out)
	noWarnings(t, stderr)
	wantObjects(t, "chart", out)
	// The ServiceMonitor needs the Prometheus operator's CRD, absent here: check its rendering only.
	manifest, _ = e.run(t, nil, e.helm, "template", "flarewarden", "deploy/helm/flarewarden",
		"--set", "serviceMonitor.enabled=true", "--set", "tokenSecret.create=false", "--set", "tokenSecret.existingSecret=mine")
	for _, want := range []string{"kind: ServiceMonitor", "secretName: mine"} {
		if !strings.Contains(manifest, want) {
			t.Errorf("chart with serviceMonitor.enabled and an existing secret lacks %q", want)
		}
	}
	// The pull policy: Always while the tag is latest (the default appVersion), IfNotPresent for a
	// pinned tag, and image.pullPolicy when set.
	for _, c := range []struct{ set, want string }{
		{"image.repository=registry.example.com/flarewarden", `image: "registry.example.com/flarewarden:latest"` + "\n          imagePullPolicy: Always"},
		{"image.tag=v0.1.0", `image: "ghcr.io/flarewarden/flarewarden:v0.1.0"` + "\n          imagePullPolicy: IfNotPresent"},
		{"image.pullPolicy=Never", "imagePullPolicy: Never"},
	} {
		manifest, _ = e.run(t, nil, e.helm, "template", "fw", "deploy/helm/flarewarden", "--set", c.set)
		if !strings.Contains(manifest, c.want) {
			t.Errorf("chart with --set %s lacks %q", c.set, c.want)
		}
	}
	// The config is one string, configYaml: the map value config, which Helm deep-merged with the
	// chart's defaults, must fail with a pointer to configYaml rather than be ignored.
	_, stderr, err := e.try(nil, e.helm, "template", "fw", "deploy/helm/flarewarden",
		"--set", "config.detect.ipv4.sources[0]=cloudflare-trace")
	if err == nil || !strings.Contains(stderr, "configYaml") {
		t.Errorf("helm template with the old config map: err %v, want an error naming configYaml:\n%s", err, stderr)
	}
}

// noWarnings fails the test on any API server warning (deprecations, Pod Security).
func noWarnings(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "Warning") {
		t.Errorf("the API server warned:\n%s", stderr)
	}
}

// wantObjects fails t unless the dry run's output (of what) has every
// object kind the manifests ship.
func wantObjects(t *testing.T, what, out string) {
	t.Helper()
	for _, kind := range []string{"serviceaccount/", "role.rbac", "rolebinding.rbac", "configmap/", "secret/",
		"service/", "deployment.apps/", "poddisruptionbudget.policy/"} {
		if !strings.Contains(out, kind) {
			t.Errorf("%s output has no %s object", what, kind)
		}
	}
}
