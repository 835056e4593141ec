# tsha: Pacemaker resource agents in TypeScript.  `make demo` and `make check` set up everything they need.
PREFIX ?= /usr
DESTDIR ?=
export PREFIX DESTDIR

.PHONY: all deps-npm deps-system build metadata install uninstall check check-node-lines test demo bench bench-faults man rpm deb clean

all: build

deps-npm:
	@sh scripts/deps.sh npm

deps-system:
	@sh scripts/deps.sh system

build: deps-npm
	@npx tsc -p tsconfig.json
	@node scripts/bundle.mjs
	@node scripts/drbdsim/bundle.mjs

# Regenerates metadata/<Agent>.xml from the declarations (a test fails when they differ).
metadata: build
	@node dist/scripts/gen-metadata.js

install: build
	@sh scripts/install.sh install

uninstall:
	@sh scripts/install.sh uninstall

# The Node.js lines the agent and lib unit suites also run under (official builds from the npm registry, cached in
# build/node/<line>/ by scripts/node-lines.sh); everything else runs under the default node.
NODE_LINES ?= 22 24
NODE_LINE_TESTS = dist/test/lib dist/test/scripts/bundle.test.js $(addprefix dist/test/agents/,$(addsuffix .test.js,Filesystem/device \
	Filesystem/fstypes Filesystem/holders Filesystem/mountinfo Filesystem/mountinfo.property Filesystem/params \
	IPaddr2/pure IPaddr2/ip-json.property MailTo/mail drbd/actions drbd/captures drbd/meta drbd/params drbd/parsers \
	drbd/parsers.property drbd/score)) dist/test/scripts/bench/pacemaker-log.test.js \
	dist/test/scripts/bench/measure.test.js

# Every test, and the unit suites again under each of NODE_LINES (not with TESTS); the last line printed is
# `N passed, N failed` for all of it. Tests use the agents installed on this machine.
check: deps-system build
	@DESTDIR= sh scripts/install.sh install
	@TSHA_NODE_LINES="$(if $(TESTS),,$(NODE_LINES))" TSHA_NODE_LINE_TESTS="$(NODE_LINE_TESTS)" \
		node scripts/run-tests.mjs $(TESTS)

# The unit suites under the default node and each of NODE_LINES, with one closing line.
check-node-lines: build
	@TSHA_NODE_LINES="$(NODE_LINES)" TSHA_NODE_LINE_TESTS="$(NODE_LINE_TESTS)" node scripts/run-tests.mjs $(NODE_LINE_TESTS)

test: check

demo: deps-system build
	@DESTDIR= sh scripts/install.sh install
	@node dist/scripts/demo.js

# Benchmarks print medians and ratios measured side by side in one run (scripts/bench/measure.ts); RUNS=15 by
# default. The table also goes to build/bench/bench.json.
bench: deps-system build
	@DESTDIR= sh scripts/install.sh install
	@node dist/scripts/bench/agents.js
	@echo "== the stop of a busy mount" && node dist/scripts/bench/filesystem-busy-stop.js
	@node dist/scripts/bench/recovery.js

# The faults of the seed's lab timed from fault to client served, the idle soak and the orphan checks (about 20 min).
bench-faults: deps-system build
	@DESTDIR= sh scripts/install.sh install
	@BENCH_FAULTS=1 node dist/scripts/bench/faults.js

# The version is written in package.json only; the RPM, the .deb, the man pages and `tsha --version` take it from there.
VERSION := $(shell node -p 'require("./package.json").version')

# The man pages as the packages ship them, rendered from the declarations: build/man/man7/ocf_tsha_<Agent>.7, man8/tsha.8
man: build
	@rm -rf build/man && node dist/scripts/gen-man.js build/man && find build/man -type f | sort

# An RPM of the committed tree (HEAD): build/rpm/RPMS/noarch/tsha-<version>-1.noarch.rpm
rpm: deps-system
	@rm -rf build/rpm && mkdir -p build/rpm/SOURCES
	@git archive --format=tar.gz --prefix=tsha-$(VERSION)/ -o build/rpm/SOURCES/tsha-$(VERSION).tar.gz HEAD
	@rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/build/rpm" --define "tsha_version $(VERSION)" tsha.spec \
		>build/rpm/rpmbuild.log 2>&1 || { tail -30 build/rpm/rpmbuild.log; exit 1; }
	@ls build/rpm/RPMS/noarch/*.rpm

# A Debian package of the committed tree (HEAD) with the RPM's contents: build/deb/tsha_<version>-1_all.deb.
# The tree is built and installed as the spec does it, then scripts/gen-deb.ts adds Debian's files.
deb: deps-system
	@rm -rf build/deb && mkdir -p build/deb/src build/deb/root
	@git archive HEAD | tar -x -C build/deb/src
	@{ $(MAKE) -C build/deb/src build && cd build/deb/src && \
		DESTDIR=$(CURDIR)/build/deb/root PREFIX=/usr NODE=/usr/bin/node LAB_FENCE_AGENT=no sh scripts/install.sh install && \
		node dist/scripts/gen-deb.js $(CURDIR)/build/deb/root; } >build/deb/build.log 2>&1 || { tail -30 build/deb/build.log; exit 1; }
	@dpkg-deb --root-owner-group --build build/deb/root build/deb/tsha_$(VERSION)-1_all.deb >/dev/null
	@ls build/deb/*.deb

clean:
	rm -rf dist build
