package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	binPath    = "/usr/local/bin/flarewarden"
	configPath = "/etc/flarewarden/config.yaml"
	caPath     = "/etc/ssl/certs/ca-certificates.crt"
	nonroot    = 65532
)

type buildOpts struct {
	bin, version, revision, source, config, ca, out, platforms string
	created                                                    time.Time
}

func build(args []string) error {
	var o buildOpts
	fs := newFlags("build")
	fs.StringVar(&o.bin, "bin", "dist/bin", "release.sh's binaries: DIR/linux_armv7/flarewarden...")
	fs.StringVar(&o.version, "version", "dev", "org.opencontainers.image.version")
	fs.StringVar(&o.revision, "revision", "", "org.opencontainers.image.revision (the commit)")
	fs.StringVar(&o.source, "source", "https://github.com/flarewarden/flarewarden", "org.opencontainers.image.source")
	fs.StringVar(&o.config, "config", "deploy/docker/config.yaml", "the default config baked in at "+configPath)
	fs.StringVar(&o.ca, "ca", caPath, "the CA bundle (Debian package ca-certificates)")
	fs.StringVar(&o.out, "out", "dist/oci", "the OCI image layout to write (replaced)")
	fs.StringVar(&o.platforms, "platforms", defaultPlatforms, "comma-separated")
	_ = fs.Parse(args)
	epoch, err := strconv.ParseInt(envOr("SOURCE_DATE_EPOCH", "0"), 10, 64)
	if err != nil {
		return fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
	}
	o.created = time.Unix(epoch, 0).UTC()
	idx, err := o.index()
	if err != nil {
		return err
	}
	if err := os.RemoveAll(o.out); err != nil {
		return err
	}
	if _, err := layout.Write(o.out, idx); err != nil {
		return err
	}
	d, _ := idx.Digest()
	fmt.Printf("wrote %s: index %s (%s)\n", o.out, d, o.platforms)
	return nil
}

// index is the multi-platform index of one image per platform.
func (o buildOpts) index() (v1.ImageIndex, error) {
	base, err := o.baseLayer()
	if err != nil {
		return nil, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range strings.Split(o.platforms, ",") {
		plat, err := v1.ParsePlatform(p)
		if err != nil {
			return nil, err
		}
		img, err := o.image(base, plat)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	return idx, nil
}

func (o buildOpts) image(base v1.Layer, plat *v1.Platform) (v1.Image, error) {
	bin, err := os.ReadFile(filepath.Join(o.bin, plat.OS+"_"+plat.Architecture+plat.Variant, "flarewarden"))
	if err != nil {
		return nil, err
	}
	top, err := layer(o.created, []entry{
		dir("/usr", 0, 0o755), dir("/usr/local", 0, 0o755), dir("/usr/local/bin", 0, 0o755),
		file(binPath, 0, 0o755, bin), symlink("/flarewarden", binPath[1:]),
	})
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, base, top); err != nil {
		return nil, err
	}
	return mutate.ConfigFile(img, o.configFile(img, plat))
}

func (o buildOpts) configFile(img v1.Image, plat *v1.Platform) *v1.ConfigFile {
	cf, _ := img.ConfigFile() // empty.Image's, with the layers' rootfs
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = plat.OS, plat.Architecture, plat.Variant
	cf.Created = v1.Time{Time: o.created}
	cf.Config = v1.Config{
		User:         fmt.Sprintf("%d:%d", nonroot, nonroot), // numeric: runAsNonRoot can check it
		Entrypoint:   []string{binPath},
		Cmd:          []string{"run", "--config", configPath},
		WorkingDir:   "/home/nonroot",
		Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		ExposedPorts: map[string]struct{}{"9090/tcp": {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "flarewarden",
			"org.opencontainers.image.description": "DDNS and WAF controller for Cloudflare",
			"org.opencontainers.image.source":      o.source,
			"org.opencontainers.image.version":     o.version,
			"org.opencontainers.image.revision":    o.revision,
			"org.opencontainers.image.created":     o.created.Format(time.RFC3339),
		},
	}
	return cf
}

// baseLayer holds what a static Go binary needs of an OS, from this machine.
func (o buildOpts) baseLayer() (v1.Layer, error) {
	ca, err := os.ReadFile(o.ca)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w (install the Debian package ca-certificates)", err)
	}
	cfg, err := os.ReadFile(o.config)
	if err != nil {
		return nil, err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", nonroot, nonroot)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", nonroot)
	return layer(o.created, []entry{
		dir("/etc", 0, 0o755), file("/etc/passwd", 0, 0o644, []byte(passwd)), file("/etc/group", 0, 0o644, []byte(group)),
		dir("/etc/ssl", 0, 0o755), dir("/etc/ssl/certs", 0, 0o755), file(caPath, 0, 0o644, ca),
		dir("/etc/flarewarden", 0, 0o755), file(configPath, 0, 0o644, cfg),
		dir("/home", 0, 0o755), dir("/home/nonroot", nonroot, 0o700), dir("/tmp", 0, 0o1777),
	})
}

// entry is one file of a layer.
type entry struct {
	hdr  tar.Header
	body []byte
}

func dir(name string, uid, mode int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name[1:] + "/", Mode: mode, Uid: int(uid), Gid: int(uid)}}
}

func file(name string, uid, mode int64, body []byte) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name[1:], Mode: mode, Uid: int(uid), Gid: int(uid), Size: int64(len(body))}, body: body}
}

func symlink(name, target string) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name[1:], Linkname: target, Mode: 0o777}}
}

// layer is a gzipped tar of entries, every time set to at.
func layer(at time.Time, entries []entry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		e.hdr.ModTime = at
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer))
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
