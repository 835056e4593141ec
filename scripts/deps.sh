#!/bin/sh
# Installs what tsha needs on a fresh Debian 12 or Fedora machine, as root. Idempotent and quiet when all is there.
#   deps.sh npm     node modules (npm ci) for building
#   deps.sh system  the cluster stack and tools the agents and tests run for real
set -eu
cd "$(dirname "$0")/.."

# the packaging tests: rpm/rpmlint (make rpm), dpkg-deb/lintian (make deb), crmsh (crm ra info), man-db/groff (man -l); time (make bench: peak RSS)
DEBIAN_PACKAGES="pacemaker corosync pcs crmsh resource-agents drbd-utils xfsprogs e2fsprogs iproute2 iputils-arping
iputils-ping postfix libxml2-utils psmisc util-linux procps curl rpm rpmlint lintian man-db groff-base bsd-mailx time"
FEDORA_PACKAGES="pacemaker corosync pcs crmsh resource-agents drbd-utils xfsprogs e2fsprogs iproute iputils postfix
libxml2 psmisc util-linux procps-ng curl rpm-build rpmlint dpkg man-db groff-base s-nail time"

need_node() {
  if ! command -v node >/dev/null 2>&1; then
    if command -v dnf >/dev/null 2>&1; then dnf install -y nodejs npm; else
      echo "deps: node >= 20 is required (Debian 12's own nodejs is 18)" >&2; exit 1; fi
  fi
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then echo "deps: node >= 20 is required, found $(node --version)" >&2; exit 1; fi
}

case "${1:-}" in
npm)
  need_node
  # npm ci only when the lock file changed since the last install
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  ;;
system)
  if command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $DEBIAN_PACKAGES; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
      echo "deps: installing$missing"
      # postfix asks no question when told how to configure: local delivery only
      echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
      echo "postfix postfix/mailname string $(hostname)" | debconf-set-selections
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
  elif command -v dnf >/dev/null 2>&1; then
    dnf install -y $FEDORA_PACKAGES
  else
    echo "deps: neither apt-get nor dnf found; install by hand: $DEBIAN_PACKAGES" >&2; exit 1
  fi
  ;;
*)
  echo "usage: deps.sh npm|system" >&2; exit 2 ;;
esac
