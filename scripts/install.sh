#!/bin/sh
# Installs or removes the built agents.  install.sh install|uninstall, honouring DESTDIR and PREFIX.
#   $PREFIX/lib/tsha/                      the compiled runtime, the agents' bundles, production node modules
#   $PREFIX/lib/ocf/resource.d/tsha/<A>    one /bin/sh shim per agent: exec <absolute node> <agent main.js>
#   $PREFIX/bin/tsha                       the command line
# Shims carry node's absolute path because pcs reads meta-data with PATH=/usr/sbin:/bin:/usr/bin and
# crm_resource --validate passes no PATH at all.
set -eu
cd "$(dirname "$0")/.."
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr}
NODE=${NODE:-$(command -v node)}
NODE=$(readlink -f "$NODE")
LIBDIR=$PREFIX/lib/tsha
OCFDIR=$PREFIX/lib/ocf/resource.d/tsha
BINDIR=$PREFIX/bin
AGENTS=$(for d in agents/*/; do basename "$d"; done)

shim() { # shim FILE MAIN
  printf '#!/bin/sh\n# installed by tsha; runs %s\nexec %s %s "$@"\n' "$2" "$NODE" "$2" > "$1"
  chmod 0755 "$1"
}

case "${1:-install}" in
install)
  [ -f dist/lib/ocf/run.js ] || { echo "install: run make build first" >&2; exit 1; }
  stage=$DESTDIR$LIBDIR
  rm -rf "$stage.new"
  mkdir -p "$stage.new/dist"
  cp -R dist/agents dist/lib dist/scripts "$stage.new/dist/"
  if [ -d dist/bundle ]; then cp -R dist/bundle "$stage.new/dist/"; fi
  find "$stage.new/dist" -name '*.map' -delete
  cp package.json package-lock.json "$stage.new/"
  cp -R node_modules "$stage.new/"
  # keep the runtime dependencies only; npm prune works from the lock file, offline
  (cd "$stage.new" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
  # swap the new runtime in with two renames, so running agents never find it half there
  rm -rf "$stage.old"
  if [ -e "$stage" ]; then mv "$stage" "$stage.old"; fi
  mv "$stage.new" "$stage"
  rm -rf "$stage.old"
  chmod -R u+rwX,go+rX,go-w "$stage"
  mkdir -p "$DESTDIR$OCFDIR" "$DESTDIR$BINDIR"
  # agents run from their bundle (one file each, see scripts/bundle.mjs) when it was built
  for agent in $AGENTS; do
    main=dist/agents/$agent/main.js
    [ -f "dist/bundle/agents/$agent/main.js" ] && main=dist/bundle/agents/$agent/main.js
    shim "$DESTDIR$OCFDIR/$agent" "$LIBDIR/$main"
  done
  shim "$DESTDIR$BINDIR/tsha" "$LIBDIR/dist/scripts/tsha.js"
  # --- lab fence agent (scripts/lab): Pacemaker's fencer runs fence agents from $PREFIX/sbin only ---
  mkdir -p "$DESTDIR$PREFIX/sbin"
  shim "$DESTDIR$PREFIX/sbin/fence_tsha_lab" "$LIBDIR/dist/scripts/lab/fence_tsha_lab.js"
  # --- end of the lab block ---
  echo "installed $(echo $AGENTS) into $DESTDIR$OCFDIR (node: $NODE)"
  ;;
uninstall)
  for agent in $AGENTS; do
    f=$DESTDIR$OCFDIR/$agent
    # remove only what we installed
    if [ -f "$f" ] && grep -q '^# installed by tsha' "$f"; then rm -f "$f"; fi
  done
  rmdir "$DESTDIR$OCFDIR" 2>/dev/null || true
  if [ -f "$DESTDIR$BINDIR/tsha" ] && grep -q '^# installed by tsha' "$DESTDIR$BINDIR/tsha"; then rm -f "$DESTDIR$BINDIR/tsha"; fi
  # --- lab fence agent (scripts/lab) ---
  f=$DESTDIR$PREFIX/sbin/fence_tsha_lab
  if [ -f "$f" ] && grep -q '^# installed by tsha' "$f"; then rm -f "$f"; fi
  # --- end of the lab block ---
  rm -rf "$DESTDIR$LIBDIR"
  echo "removed tsha from $DESTDIR$PREFIX"
  ;;
*)
  echo "usage: install.sh install|uninstall" >&2; exit 2 ;;
esac
