// Command oci builds flarewarden's multi-platform container image as an OCI
// image layout, without a Docker daemon and without pulling anything: the
// base is empty (scratch) and every file comes from this machine.
//
//	oci build   -bin dist/bin -version v1.2.3 -out dist/oci   the layout
//	oci check   -layout dist/oci                              its platforms and config
//	oci extract -layout dist/oci -platform linux/amd64 -dir D one image's filesystem
//	oci push    -layout dist/oci -ref ghcr.io/o/flarewarden:v1.2.3 [-tags latest]
//
// Each image is two layers: the base (CA bundle, /etc/passwd and /etc/group
// with nonroot 65532, the default config at /etc/flarewarden/config.yaml,
// /home/nonroot, /tmp), the same for every platform; and the binary at
// /usr/local/bin/flarewarden (with /flarewarden linked to it, the path the
// Dockerfile's image uses). The config matches deploy/docker/Dockerfile:
// user 65532:65532, `run --config /etc/flarewarden/config.yaml`, port 9090.
// File times and the creation time are SOURCE_DATE_EPOCH's (else 0), so the
// same binaries give the same digests.
package main

import (
	"flag"
	"fmt"
	"os"
)

// platforms are the images' platforms, as release.sh names their binaries'
// directories (os_arch[variant]).
var defaultPlatforms = "linux/amd64,linux/arm64,linux/arm/v7,linux/arm/v6"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: oci build|check|extract|push [flags]  (see the package doc)")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{"build": build, "check": check, "extract": extract, "push": push}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "oci: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "oci "+os.Args[1]+": "+err.Error())
		os.Exit(1)
	}
}

func newFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ExitOnError)
}
