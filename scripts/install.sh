#!/bin/sh
# Installs or removes the built agents.  install.sh install|uninstall, honouring DESTDIR and PREFIX.
#   $PREFIX/lib/tsha/                      the compiled runtime, the agents' bundles, production node modules
#   $PREFIX/lib/ocf/resource.d/tsha/<A>    one shim per agent: a node script (#!<absolute node>) requiring its bundle
#   $PREFIX/bin/tsha                       the command line
#   $PREFIX/share/man/man7/ocf_tsha_<A>.7  each agent's manual, and man8/tsha.8 (scripts/gen-man.ts)
# Shims carry node's absolute path because pcs reads meta-data with PATH=/usr/sbin:/bin:/usr/bin and
# crm_resource --validate passes no PATH at all.
set -eu
cd "$(dirname "$0")/.."
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr}
# NODE as given (the packages say /usr/bin/node), else the node on PATH with its links resolved
NODE=${NODE:-$(readlink -f "$(command -v node)")}
# LAB_FENCE_AGENT=no: leave out the lab's fence agent, which only fences lab nodes (the packages do)
LAB_FENCE_AGENT=${LAB_FENCE_AGENT:-yes}
LIBDIR=$PREFIX/lib/tsha
OCFDIR=$PREFIX/lib/ocf/resource.d/tsha
BINDIR=$PREFIX/bin
MANDIR=$PREFIX/share/man
AGENTS=$(for d in agents/*/; do basename "$d"; done)

# What a module needs at run time stays: its code, package.json, its licence. Its tests and their fixtures,
# benchmarks, examples, docs, type declarations, source maps, CI and editor settings, git hooks (husky) and its
# command-line programs (.bin, `#!/usr/bin/env node` scripts nothing here runs) go.
prune_modules() { # prune_modules NODE_MODULES
  rm -rf "$1/.bin" "$1/.package-lock.json"
  find "$1" -depth -type d \( -name test -o -name tests -o -name __tests__ -o -name fixtures -o -name benchmarks \
    -o -name bench -o -name example -o -name examples -o -name docs -o -name docsify -o -name '.github' \
    -o -name '.husky' -o -name '.claude' \) -exec rm -rf {} +
  find "$1" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.ts' -o -name '*.map' \
    -o -name '*.md' -o -name '*.markdown' -o -name '*.png' -o -name '*.ico' -o -name '*.html' -o -name '*.sh' \
    -o -name '.*' -o -name tsconfig.json -o -name CNAME \) ! -iname 'licen[cs]e*' -delete
  # command-line programs of the modules (pino's, which's): the runtime only require()s them
  find "$1" -type f -exec awk 'FNR == 1 && /^#!/ { print FILENAME } { nextfile }' {} + | xargs -r rm -f
  find "$1" -depth -type d -empty -delete
  # nothing left is a program (some modules' tarballs mark plain modules executable)
  find "$1" -type f -exec chmod 0644 {} +
}

shim() { # shim FILE MAIN
  printf '#!/bin/sh\n# installed by tsha; runs %s\nexec %s %s "$@"\n' "$2" "$NODE" "$2" > "$1"
  chmod 0755 "$1"
}

# An agent's shim is a CommonJS script node runs itself: no /bin/sh started before node at every action
# (measured in scripts/bench/perf-probe.ts). Its bundle is CommonJS (scripts/bundle.mjs); a compiled ES module
# main.js (no bundle built) gets the /bin/sh shim.
agent_shim() { # agent_shim FILE MAIN
  case "$2" in
  */dist/bundle/*)
    printf '#!%s\n// installed by tsha; runs %s\nrequire(%s);\n' "$NODE" "$2" "'$2'" > "$1"
    chmod 0755 "$1" ;;
  *) shim "$1" "$2" ;;
  esac
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
  rm "$stage.new/package-lock.json"
  prune_modules "$stage.new/node_modules"
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
    agent_shim "$DESTDIR$OCFDIR/$agent" "$LIBDIR/$main"
  done
  shim "$DESTDIR$BINDIR/tsha" "$LIBDIR/dist/scripts/tsha.js"
  # the man pages, rendered from the code just installed
  node dist/scripts/gen-man.js "$DESTDIR$MANDIR"
  chmod 0644 "$DESTDIR$MANDIR"/man7/ocf_tsha_*.7 "$DESTDIR$MANDIR/man8/tsha.8"
  # --- lab fence agent (scripts/lab): Pacemaker's fencer runs fence agents from $PREFIX/sbin only ---
  if [ "$LAB_FENCE_AGENT" = yes ]; then
    mkdir -p "$DESTDIR$PREFIX/sbin"
    shim "$DESTDIR$PREFIX/sbin/fence_tsha_lab" "$LIBDIR/dist/scripts/lab/fence_tsha_lab.js"
  fi
  # --- end of the lab block ---
  echo "installed $(echo $AGENTS) into $DESTDIR$OCFDIR (node: $NODE)"
  ;;
uninstall)
  for agent in $AGENTS; do
    f=$DESTDIR$OCFDIR/$agent
    # remove only what we installed
    if [ -f "$f" ] && grep -q '^\(#\|//\) installed by tsha' "$f"; then rm -f "$f"; fi
  done
  rmdir "$DESTDIR$OCFDIR" 2>/dev/null || true
  if [ -f "$DESTDIR$BINDIR/tsha" ] && grep -q '^# installed by tsha' "$DESTDIR$BINDIR/tsha"; then rm -f "$DESTDIR$BINDIR/tsha"; fi
  # --- lab fence agent (scripts/lab) ---
  f=$DESTDIR$PREFIX/sbin/fence_tsha_lab
  if [ -f "$f" ] && grep -q '^# installed by tsha' "$f"; then rm -f "$f"; fi
  # --- end of the lab block ---
  rm -rf "$DESTDIR$LIBDIR"
  for agent in $AGENTS; do rm -f "$DESTDIR$MANDIR/man7/ocf_tsha_$agent.7"; done
  rm -f "$DESTDIR$MANDIR/man8/tsha.8"
  echo "removed tsha from $DESTDIR$PREFIX"
  ;;
*)
  echo "usage: install.sh install|uninstall" >&2; exit 2 ;;
esac
