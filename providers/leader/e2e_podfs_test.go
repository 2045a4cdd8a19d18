package leader

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"gopkg.in/yaml.v3"
)

// The pod filesystem check: what a Pod of a rendered Deployment would see, emulated on this
// machine and handed to `flarewarden config validate`, run as the Pod's user in a chroot:
//   - the image: the binary at the ENTRYPOINT's path and the final stage's ENV lines of
//     deploy/docker/Dockerfile (an ENV such as CLOUDFLARE_API_TOKEN_FILE overrides every
//     config's token path, so it must agree with what the manifests mount);
//   - the container's env (literal values; fieldRef values get a placeholder);
//   - every volume mount: a ConfigMap's keys (from the rendered ConfigMap), a Secret's items (dummy
//     content; with the rendered Secret, each item's key must exist in it), an emptyDir; files
//     owned by root and the Pod's fsGroup with the volume's mode, as the kubelet makes them.
// So a config that names a path nothing mounts, a Secret key missing from the Secret, a mode the
// Pod's user cannot read, or an image ENV that points elsewhere all fail here.

// k8sObject is the part of a rendered object that the check reads.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Rules      []struct {
		APIGroups     []string `yaml:"apiGroups"`
		Resources     []string `yaml:"resources"`
		ResourceNames []string `yaml:"resourceNames"`
		Verbs         []string `yaml:"verbs"`
	} `yaml:"rules"`
	Spec struct {
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	SecurityContext struct {
		RunAsUser  *int `yaml:"runAsUser"`
		RunAsGroup *int `yaml:"runAsGroup"`
		FSGroup    *int `yaml:"fsGroup"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name    string   `yaml:"name"`
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name      string `yaml:"name"`
			Value     string `yaml:"value"`
			ValueFrom *struct {
				FieldRef *struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
			SubPath   string `yaml:"subPath"`
		} `yaml:"volumeMounts"`
		SecurityContext struct {
			RunAsUser  *int `yaml:"runAsUser"`
			RunAsGroup *int `yaml:"runAsGroup"`
		} `yaml:"securityContext"`
	} `yaml:"containers"`
	Volumes []podVolume `yaml:"volumes"`
}

type podVolume struct {
	Name      string      `yaml:"name"`
	ConfigMap *volumeKeys `yaml:"configMap"`
	Secret    *volumeKeys `yaml:"secret"`
	EmptyDir  *struct{}   `yaml:"emptyDir"`
}

// volumeKeys is a configMap or secret volume source.
type volumeKeys struct {
	Name        string `yaml:"name"`       // configMap
	SecretName  string `yaml:"secretName"` // secret
	DefaultMode *int   `yaml:"defaultMode"`
	Items       []struct {
		Key  string `yaml:"key"`
		Path string `yaml:"path"`
		Mode *int   `yaml:"mode"`
	} `yaml:"items"`
}

// decodeObjects decodes a multi-document manifest.
func decodeObjects(t *testing.T, manifest string) []k8sObject {
	t.Helper()
	var objs []k8sObject
	dec := yaml.NewDecoder(strings.NewReader(manifest))
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("decode manifest: %v", err)
		}
		if o.Kind != "" {
			objs = append(objs, o)
		}
	}
}

// findObject returns the object of that kind and name (any name when name is ""), or nil.
func findObject(objs []k8sObject, kind, name string) *k8sObject {
	for i := range objs {
		if objs[i].Kind == kind && (name == "" || objs[i].Metadata.Name == name) {
			return &objs[i]
		}
	}
	return nil
}

// imageConfig is what the check takes from the Dockerfile's final stage.
type imageConfig struct {
	env        []string // KEY=VALUE, in order
	entrypoint []string
}

// parseDockerfile reads the final stage's ENV and ENTRYPOINT lines (exec form only; ENV as
// KEY=VALUE... or KEY VALUE, without quotes, which this parser refuses rather than misreads).
func parseDockerfile(t *testing.T, file string) imageConfig {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var img imageConfig
	sc := bufio.NewScanner(bytes.NewReader(bytes.ReplaceAll(data, []byte("\\\n"), []byte(" "))))
	for sc.Scan() {
		kw, rest, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(kw) {
		case "FROM":
			img = imageConfig{} // a new stage (the final one is FROM an external image)
		case "ENV":
			if strings.ContainsAny(rest, `"'$`) {
				t.Fatalf("%s: unsupported ENV form (quotes or $): ENV %s", file, rest)
			}
			if k, v, ok := strings.Cut(rest, " "); ok && !strings.Contains(k, "=") {
				img.env = append(img.env, k+"="+strings.TrimSpace(v))
			} else {
				img.env = append(img.env, strings.Fields(rest)...)
			}
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(rest), &img.entrypoint); err != nil || len(img.entrypoint) == 0 {
				t.Fatalf("%s: ENTRYPOINT %s is not the exec form", file, rest)
			}
		}
	}
	if len(img.entrypoint) == 0 {
		t.Fatalf("%s: the final stage has no ENTRYPOINT", file)
	}
	return img
}

var (
	podfsBinOnce sync.Once
	podfsBin     string
	podfsBinErr  error
)

// staticBinary builds flarewarden once, static (as the Dockerfile does), for the chroot.
func staticBinary(t *testing.T, e *e2eEnv) string {
	t.Helper()
	podfsBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flarewarden-podfs-bin")
		if err != nil {
			podfsBinErr = err
			return
		}
		podfsBin = filepath.Join(dir, "flarewarden")
		cmd := exec.Command("go", "build", "-trimpath", "-o", podfsBin, "./cmd/flarewarden")
		cmd.Dir, cmd.Env = e.root, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			podfsBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if podfsBinErr != nil {
		t.Fatal(podfsBinErr)
	}
	return podfsBin
}

// podValidation is the outcome of `config validate` in a Deployment's emulated Pod.
type podValidation struct {
	output string
	err    error
}

// validateInPod builds the Pod's filesystem for the Deployment in objs and runs `flarewarden
// config validate` in it, as the Pod's user, with the image's and the container's environment.
// Problems of the manifests themselves (a volume without its object, a missing key) fail t.
func validateInPod(t *testing.T, e *e2eEnv, objs []k8sObject, img imageConfig) podValidation {
	t.Helper()
	dep := findObject(objs, "Deployment", "")
	if dep == nil {
		t.Fatal("no Deployment in the manifest")
	}
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("the Pod has %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	uid, gid := 0, 0
	for _, p := range []*int{pod.SecurityContext.RunAsUser, c.SecurityContext.RunAsUser} {
		if p != nil {
			uid = *p
		}
	}
	for _, p := range []*int{pod.SecurityContext.RunAsGroup, c.SecurityContext.RunAsGroup} {
		if p != nil {
			gid = *p
		}
	}
	fsGroup := 0
	if pod.SecurityContext.FSGroup != nil {
		fsGroup = *pod.SecurityContext.FSGroup
	}

	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil { // the Pod's user walks from /
		t.Fatal(err)
	}
	write := func(p string, data []byte, mode os.FileMode, group int) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			if err := os.Chown(full, 0, group); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(full, mode); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := os.ReadFile(staticBinary(t, e))
	if err != nil {
		t.Fatal(err)
	}
	entry := img.entrypoint
	if len(c.Command) > 0 {
		entry = c.Command
	}
	write(entry[0], bin, 0o755, 0)

	for _, m := range c.VolumeMounts {
		if m.SubPath != "" {
			t.Fatalf("volume mount %s: subPath is not emulated", m.Name)
		}
		i := slices.IndexFunc(pod.Volumes, func(v podVolume) bool { return v.Name == m.Name })
		if i < 0 {
			t.Fatalf("volume mount %s names no volume", m.Name)
		}
		v := pod.Volumes[i]
		switch {
		case v.ConfigMap != nil:
			cm := findObject(objs, "ConfigMap", v.ConfigMap.Name)
			if cm == nil {
				t.Fatalf("volume %s: ConfigMap %s is not in the manifest", v.Name, v.ConfigMap.Name)
			}
			mountKeys(t, root, m.MountPath, v.Name, *v.ConfigMap, cm.Data, false, fsGroup, write)
		case v.Secret != nil:
			var keys map[string]string
			if s := findObject(objs, "Secret", v.Secret.SecretName); s != nil {
				keys = map[string]string{}
				for k := range s.Data {
					keys[k] = ""
				}
				for k := range s.StringData {
					keys[k] = ""
				}
			}
			mountKeys(t, root, m.MountPath, v.Name, *v.Secret, keys, true, fsGroup, write)
		case v.EmptyDir != nil:
			if err := os.MkdirAll(filepath.Join(root, m.MountPath), 0o777); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("volume %s: a kind this check does not emulate", v.Name)
		}
	}

	env := slices.Clone(img.env)
	for _, ev := range c.Env {
		switch {
		case ev.ValueFrom != nil && ev.ValueFrom.FieldRef != nil:
			env = append(env, ev.Name+"=e2e-"+ev.ValueFrom.FieldRef.FieldPath)
		case ev.ValueFrom != nil:
			t.Fatalf("env %s: a valueFrom this check does not emulate", ev.Name)
		default:
			env = append(env, ev.Name+"="+ev.Value)
		}
	}
	config := argValue(c.Args, "--config")
	if config == "" {
		t.Fatalf("the container's args name no --config: %q", c.Args)
	}
	args := append(slices.Clone(entry[1:]), "config", "validate", "--config", config)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, entry[0], args...)
	cmd.Env, cmd.Dir = env, "/"
	cmd.SysProcAttr = chrootAs(root, uid, gid)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return podValidation{output: out.String(), err: err}
}

// mountKeys writes a configMap or secret volume at mountPath: its items, or every key. keys is
// the object's keys (nil: the object is not in the manifest, e.g. a Secret created out of band).
func mountKeys(t *testing.T, root, mountPath, volume string, src volumeKeys, keys map[string]string,
	secret bool, fsGroup int, write func(string, []byte, os.FileMode, int)) {
	t.Helper()
	mode := os.FileMode(0o644) // the API server's default for both kinds
	if src.DefaultMode != nil {
		mode = os.FileMode(*src.DefaultMode)
	}
	content := func(key string) []byte {
		if secret {
			return []byte("dummy-" + key + "\n")
		}
		return []byte(keys[key])
	}
	if len(src.Items) == 0 {
		if keys == nil {
			t.Fatalf("volume %s: no items and its object is not in the manifest: cannot know its files", volume)
		}
		for k := range keys {
			write(path.Join(mountPath, k), content(k), mode, fsGroup)
		}
		return
	}
	for _, it := range src.Items {
		if keys != nil {
			if _, ok := keys[it.Key]; !ok {
				t.Errorf("volume %s: key %s is not in its object: the Pod would not start", volume, it.Key)
			}
		}
		m := mode
		if it.Mode != nil {
			m = os.FileMode(*it.Mode)
		}
		write(path.Join(mountPath, it.Path), content(it.Key), m, fsGroup)
	}
}

// chrootAs runs a command in root as uid:gid with no supplementary groups: directly as root, or
// in a user namespace that maps uid and gid to the caller's.
func chrootAs(root string, uid, gid int) *syscall.SysProcAttr {
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	if os.Geteuid() == 0 {
		return &syscall.SysProcAttr{Chroot: root, Credential: cred}
	}
	cred.NoSetGroups = true
	return &syscall.SysProcAttr{Chroot: root, Credential: cred, Cloneflags: syscall.CLONE_NEWUSER,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: uid, HostID: os.Geteuid(), Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: gid, HostID: os.Getegid(), Size: 1}},
		GidMappingsEnableSetgroups: false}
}

// argValue returns the value of --name in args ("--name value" or "--name=value").
func argValue(args []string, name string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// leaseRBAC checks that the Role lets the Deployment's Lease be got and updated (by name) and
// created, and nothing else on leases.
func leaseRBAC(t *testing.T, objs []k8sObject) {
	t.Helper()
	dep := findObject(objs, "Deployment", "")
	role := findObject(objs, "Role", "")
	if dep == nil || role == nil {
		t.Fatal("the manifest lacks the Deployment or the Role")
	}
	lease := argValue(dep.Spec.Template.Spec.Containers[0].Args, "--leader-elect-name")
	if lease == "" {
		t.Fatal("the Deployment passes no --leader-elect-name")
	}
	got := map[string][]string{} // verb -> resourceNames ("*" = any)
	for _, r := range role.Rules {
		if !slices.Contains(r.APIGroups, "coordination.k8s.io") || !slices.Contains(r.Resources, "leases") {
			t.Errorf("the Role grants more than leases: %+v", r)
			continue
		}
		names := r.ResourceNames
		if len(names) == 0 {
			names = []string{"*"}
		}
		for _, v := range r.Verbs {
			got[v] = append(got[v], names...)
		}
	}
	want := map[string][]string{"get": {lease}, "update": {lease}, "create": {"*"}}
	for v, names := range want {
		if !slices.Equal(got[v], names) {
			t.Errorf("the Role grants %s on leases %v, want %v (the Deployment's Lease is %s)", v, got[v], names, lease)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the Role grants verbs %v on leases, want only get, update and create", got)
	}
}

// userConfigYaml is a user's own config for the chart's configYaml: one IP source and no quorum.
// It must replace the default whole: a default quorum of 2 kept beside it fails validation.
const userConfigYaml = `detect:
  ipv4:
    sources: [cloudflare-trace]
records:
  - name: home.example.com
server:
  ready_grace: 1m
`

// podRenderings are the manifests whose Pods are checked: kustomize and the Helm chart (its
// default values, an existing Secret with other key names, and a user's configYaml).
func podRenderings(t *testing.T, e *e2eEnv) map[string]string {
	t.Helper()
	kustomize, _ := e.kubectlAs(t, e.admin, nil, "kustomize", "deploy/kubernetes")
	helmDefault, _ := e.run(t, nil, e.helm, "template", "flarewarden", "deploy/helm/flarewarden", "--namespace", helmNamespace)
	helmExisting, _ := e.run(t, nil, e.helm, "template", "fw", "deploy/helm/flarewarden", "--namespace", helmNamespace,
		"--set", "tokenSecret.create=false", "--set", "tokenSecret.existingSecret=mine",
		"--set", "tokenSecret.key=cf", "--set", "tokenSecret.reconcileTokenKey=rc",
		"--set", "leaderElection.leaseName=my-lease", "--set", "metricsPort=9191")
	userConfig := filepath.Join(t.TempDir(), "flarewarden.yaml")
	if err := os.WriteFile(userConfig, []byte(userConfigYaml), 0o644); err != nil {
		t.Fatal(err)
	}
	helmUserConfig, _ := e.run(t, nil, e.helm, "template", "fw", "deploy/helm/flarewarden", "--namespace", helmNamespace,
		"--set-file", "configYaml="+userConfig)
	if !strings.Contains(helmUserConfig, "ready_grace: 1m") || strings.Contains(helmUserConfig, "quorum") {
		t.Errorf("the chart's config with --set-file configYaml is not the user's file with the chart's keys set over it:\n%s", helmUserConfig)
	}
	return map[string]string{"kustomize": kustomize, "helm": helmDefault, "helm existingSecret": helmExisting,
		"helm configYaml": helmUserConfig}
}

// TestE2EPodConfigValidates runs `flarewarden config validate` in the emulated Pod of the
// kustomize output and of the Helm chart, with the image's ENV lines, and checks the Role against
// the Deployment's Lease.
func TestE2EPodConfigValidates(t *testing.T) {
	e := needE2E(t)
	img := parseDockerfile(t, filepath.Join(e.root, "deploy/docker/Dockerfile"))
	t.Logf("image: ENTRYPOINT %q, ENV %q", img.entrypoint, img.env)
	for name, manifest := range podRenderings(t, e) {
		t.Run(name, func(t *testing.T) {
			objs := decodeObjects(t, manifest)
			leaseRBAC(t, objs)
			res := validateInPod(t, e, objs, img)
			if res.err != nil {
				t.Fatalf("config validate in the Pod: %v\n%s", res.err, res.output)
			}
			for _, want := range []string{"[redacted] from /run/secrets/cloudflare/token",
				"token_file: /run/secrets/cloudflare/reconcile-token", "require_token: true"} {
				if !strings.Contains(res.output, want) {
					t.Errorf("the effective config lacks %q:\n%s", want, res.output)
				}
			}
		})
	}
}

// TestE2EPodConfigCheckCatchesImageEnv is the canary of the check above: the image ENV that once
// shipped (CLOUDFLARE_API_TOKEN_FILE=/run/secrets/cloudflare_token, Compose's path) overrides the
// path Kubernetes mounts, and the check must say so; so must a Secret mode the Pod's user cannot
// read.
func TestE2EPodConfigCheckCatchesImageEnv(t *testing.T) {
	e := needE2E(t)
	img := parseDockerfile(t, filepath.Join(e.root, "deploy/docker/Dockerfile"))
	img.env = append(img.env, "CLOUDFLARE_API_TOKEN_FILE=/run/secrets/cloudflare_token")
	for name, manifest := range podRenderings(t, e) {
		res := validateInPod(t, e, decodeObjects(t, manifest), img)
		if res.err == nil || !strings.Contains(res.output, "CLOUDFLARE_API_TOKEN_FILE: read token file") {
			t.Errorf("%s: with the old image ENV, validate = %v, want the token file error:\n%s", name, res.err, res.output)
		}
	}
	if os.Geteuid() != 0 {
		return // file ownership (root:fsGroup) is emulated only as root
	}
	kustomize := podRenderings(t, e)["kustomize"]
	objs := decodeObjects(t, strings.ReplaceAll(kustomize, "defaultMode: 288", "defaultMode: 256")) // 0400
	if res := validateInPod(t, e, objs, parseDockerfile(t, filepath.Join(e.root, "deploy/docker/Dockerfile"))); res.err == nil {
		t.Errorf("a 0400 Secret owned by root was readable by the Pod's user:\n%s", res.output)
	}
}
