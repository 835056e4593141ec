# tsha: Pacemaker resource agents in TypeScript.  `make demo` and `make check` set up everything they need.
PREFIX ?= /usr
DESTDIR ?=
export PREFIX DESTDIR

.PHONY: all deps-npm deps-system build metadata install uninstall check test demo bench rpm clean

all: build

deps-npm:
	@sh scripts/deps.sh npm

deps-system:
	@sh scripts/deps.sh system

build: deps-npm
	@npx tsc -p tsconfig.json

# Regenerates metadata/<Agent>.xml from the declarations (a test fails when they differ).
metadata: build
	@node dist/scripts/gen-metadata.js

install: build
	@sh scripts/install.sh install

uninstall:
	@sh scripts/install.sh uninstall

# Every test; the last line printed is `N passed, N failed`. Tests use the agents installed on this machine.
check: deps-system build
	@DESTDIR= sh scripts/install.sh install
	@node scripts/run-tests.mjs $(TESTS)

test: check

demo: deps-system build
	@DESTDIR= sh scripts/install.sh install
	@node dist/scripts/demo.js

bench: deps-system build
	@echo "bench: not written yet (see the IPaddr2, Filesystem and drbd issues)"

rpm:
	@echo "rpm: not written yet"

clean:
	rm -rf dist build
