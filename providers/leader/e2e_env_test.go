package leader

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// e2eDirEnv names the directory that `deploy/kubernetes/e2e/testenv.sh start DIR` prepared.
const e2eDirEnv = "FLAREWARDEN_K8S_E2E_DIR"

// commandTimeout bounds every kubectl and helm command of the e2e tests.
const commandTimeout = 2 * time.Minute

// e2eEnv is a running test environment: a real kube-apiserver on loopback and the tools.
type e2eEnv struct {
	dir     string
	admin   string // kubeconfig with system:masters
	sa      string // kubeconfig of system:serviceaccount:flarewarden:flarewarden
	kubectl string
	helm    string
	root    string // the repository
}

// needE2E returns the environment, or skips the test when FLAREWARDEN_K8S_E2E_DIR is unset.
func needE2E(t *testing.T) *e2eEnv {
	t.Helper()
	dir := os.Getenv(e2eDirEnv)
	if dir == "" {
		t.Skipf("%s is not set: start an API server with `deploy/kubernetes/e2e/testenv.sh start DIR` "+
			"and set %s=DIR (or run .ci/k8s-e2e.sh)", e2eDirEnv, e2eDirEnv)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	e := &e2eEnv{dir: dir, admin: filepath.Join(dir, "admin.kubeconfig"),
		sa: filepath.Join(dir, "flarewarden.kubeconfig"), kubectl: "kubectl", helm: "helm", root: root}
	vars := readEnvFile(t, filepath.Join(dir, "env"))
	if v := vars["KUBECTL"]; v != "" {
		e.kubectl = v
	}
	if v := vars["HELM"]; v != "" {
		e.helm = v
	}
	for _, f := range []string{e.admin, e.sa} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s=%s is not a prepared environment: %v", e2eDirEnv, dir, err)
		}
	}
	return e
}

// readEnvFile reads the KEY=VALUE lines that testenv.sh writes.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	return vars
}

// run runs name with args in the repository, with stdin, bounded by commandTimeout. It returns
// stdout and stderr; a non-zero exit fails the test.
func (e *e2eEnv) run(t *testing.T, stdin []byte, name string, args ...string) (string, string) {
	t.Helper()
	stdout, stderr, err := e.try(stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout, stderr
}

// try is run without failing the test.
func (e *e2eEnv) try(stdin []byte, name string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = e.root
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// kubectlAs runs kubectl with the given kubeconfig.
func (e *e2eEnv) kubectlAs(t *testing.T, kubeconfig string, stdin []byte, args ...string) (string, string) {
	t.Helper()
	return e.run(t, stdin, e.kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
}
