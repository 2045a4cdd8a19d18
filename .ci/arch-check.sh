#!/usr/bin/env bash
# The direction of imports that docs/ARCHITECTURE.md promises, checked on the
# tree: controller imports no flarewarden package; controller/* import only
# controller packages; providers import only controller packages (their own
# subpackages' tests aside); nothing but cmd/flarewarden imports its
# subpackages, and nothing imports cmd/flarewarden.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=github.com/flarewarden/flarewarden
fail=0
while read -r pkg deps; do
  pkg=${pkg#"$mod/"}
  for dep in $deps; do
    case "$dep" in "$mod"/*) ;; *) continue ;; esac
    dep=${dep#"$mod/"}
    bad=""
    case "$pkg" in
      controller) bad="the pass imports $dep" ;;
      controller/*) case "$dep" in controller|controller/*) ;; *) bad="imports $dep" ;; esac ;;
      providers/*) case "$dep" in controller|controller/*) ;; *) bad="imports $dep" ;; esac ;;
      cmd/flarewarden/*) case "$dep" in cmd/flarewarden) bad="imports its command" ;; esac ;;
    esac
    case "$dep" in cmd/flarewarden) [ "$pkg" = cmd/flarewarden ] || bad="imports the command" ;; esac
    case "$dep" in cmd/flarewarden/*) case "$pkg" in cmd/flarewarden|cmd/flarewarden/*) ;; *) bad="imports $dep" ;; esac ;; esac
    if [ -n "$bad" ]; then echo "arch: $pkg $bad"; fail=1; fi
  done
done < <(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./...)
[ "$fail" = 0 ] && echo "imports go one way"
exit "$fail"
