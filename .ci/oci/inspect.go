package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// check fails unless the layout's index lists exactly the platforms, each
// image's config says the same platform and runs flarewarden as 65532.
func check(args []string) error {
	fs := newFlags("check")
	dir := fs.String("layout", "dist/oci", "the OCI image layout")
	want := fs.String("platforms", defaultPlatforms, "comma-separated, exactly the index's")
	_ = fs.Parse(args)
	idx, err := readIndex(*dir)
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	var got []string
	for _, m := range im.Manifests {
		if m.Platform == nil {
			return fmt.Errorf("manifest %s has no platform", m.Digest)
		}
		got = append(got, m.Platform.String())
		if err := checkImage(idx, m); err != nil {
			return fmt.Errorf("%s: %w", m.Platform, err)
		}
	}
	wantList := strings.Split(*want, ",")
	slices.Sort(got)
	slices.Sort(wantList)
	if !slices.Equal(got, wantList) {
		return fmt.Errorf("index lists %v, want %v", got, wantList)
	}
	fmt.Printf("%s: %s index, platforms %s\n", *dir, im.MediaType, strings.Join(got, " "))
	return nil
}

func checkImage(idx v1.ImageIndex, m v1.Descriptor) error {
	img, err := idx.Image(m.Digest)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	p := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	switch {
	case !p.Equals(*m.Platform):
		return fmt.Errorf("config says %s", p.String())
	case cf.Config.User != "65532:65532":
		return fmt.Errorf("user %q, want 65532:65532", cf.Config.User)
	case !slices.Equal(cf.Config.Entrypoint, []string{binPath}):
		return fmt.Errorf("entrypoint %q", cf.Config.Entrypoint)
	}
	return nil
}

// extract writes one platform's flattened filesystem into a directory
// (ownership kept when run as root).
func extract(args []string) error {
	fs := newFlags("extract")
	dir := fs.String("layout", "dist/oci", "the OCI image layout")
	platform := fs.String("platform", "linux/amd64", "the image to extract")
	into := fs.String("dir", "", "the directory to write into (created)")
	_ = fs.Parse(args)
	idx, err := readIndex(*dir)
	if err != nil {
		return err
	}
	img, err := imageFor(idx, *platform)
	if err != nil {
		return err
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	return untar(tar.NewReader(rc), *into)
}

func imageFor(idx v1.ImageIndex, platform string) (v1.Image, error) {
	want, err := v1.ParsePlatform(platform)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Equals(*want) {
			return idx.Image(m.Digest)
		}
	}
	return nil, fmt.Errorf("no image for %s", platform)
}

func untar(tr *tar.Reader, into string) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		p := filepath.Join(into, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, filepath.Clean(into)+string(os.PathSeparator)) {
			return fmt.Errorf("%s leaves the directory", h.Name)
		}
		if err := writeEntry(tr, h, p); err != nil {
			return err
		}
	}
}

func writeEntry(r io.Reader, h *tar.Header, p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	var err error
	switch h.Typeflag {
	case tar.TypeDir:
		err = os.MkdirAll(p, 0o755)
	case tar.TypeSymlink:
		err = os.Symlink(h.Linkname, p)
	case tar.TypeReg:
		var f *os.File
		if f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
			_, err = io.Copy(f, r)
			err = errors.Join(err, f.Close())
		}
	default:
		return fmt.Errorf("%s: unexpected entry type %c", h.Name, h.Typeflag)
	}
	if err != nil || h.Typeflag == tar.TypeSymlink {
		return err
	}
	if os.Geteuid() == 0 {
		if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
			return err
		}
	}
	return os.Chmod(p, h.FileInfo().Mode()&(os.ModePerm|os.ModeSticky))
}

func readIndex(dir string) (v1.ImageIndex, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	return p.ImageIndex()
}
