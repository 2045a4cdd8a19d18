package main

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// push uploads the layout's index to -ref and tags it with -tags too, with
// the credentials of ~/.docker/config.json (docker login, or
// docker/login-action in the release workflow).
func push(args []string) error {
	fs := newFlags("push")
	dir := fs.String("layout", "dist/oci", "the OCI image layout")
	ref := fs.String("ref", "", "e.g. ghcr.io/flarewarden/flarewarden:v1.2.3")
	tags := fs.String("tags", "", "more tags of the same repository, comma-separated (e.g. latest)")
	_ = fs.Parse(args)
	r, err := name.NewTag(*ref)
	if err != nil {
		return err
	}
	idx, err := readIndex(*dir)
	if err != nil {
		return err
	}
	auth := remote.WithAuthFromKeychain(authn.DefaultKeychain)
	if err := remote.WriteIndex(r, idx, auth); err != nil {
		return err
	}
	d, _ := idx.Digest()
	fmt.Printf("pushed %s@%s\n", r, d)
	for _, t := range strings.Split(*tags, ",") {
		if t == "" {
			continue
		}
		if err := remote.Tag(r.Context().Tag(t), idx, auth); err != nil {
			return err
		}
		fmt.Printf("tagged %s\n", r.Context().Tag(t))
	}
	return nil
}
