# spanwatch — every entry point installs what it needs first, so `make run` and
# `make test` work on a fresh Debian machine (as root).

SHELL := /bin/bash
export TZ := UTC

SYS_PACKAGES := libpcap-dev tcpdump tshark
BENCH_PACKAGES := pmacct
TESTS := $(sort $(wildcard test/*.test.ts test/bench/*.test.ts))
SAMPLE := test/data/sample.pcap

.PHONY: all sysdeps deps build check run test golden bench clean

all: build

# System packages: libpcap for live capture (and to build `cap`), tcpdump and tshark as the
# test oracles. Installed only when missing.
sysdeps:
	@missing=""; for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/.installed: package.json package-lock.json | sysdeps
	npm ci --no-audit --no-fund
	touch $@

deps: sysdeps node_modules/.installed

build: deps
	npx tsc -p tsconfig.json

# Typecheck the sources (tsconfig.json) and the tests with the same strict options.
check: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc --noEmit --strict --noUncheckedIndexedAccess --target ES2022 --module NodeNext --moduleResolution NodeNext --skipLibCheck --types node $(TESTS) $(wildcard test/support/*.ts test/bench/*.ts)

# The main job on the bundled sample capture: tables per interval into reports/.
run: build
	node dist/cli/main.js run --read $(SAMPLE) --reports reports

test: build
	node --import tsx --test --test-concurrency=2 $(TESTS)

# Rewrite the golden files from the current code; review the result with `git diff test/golden`.
golden: build
	UPDATE_GOLDEN=1 node --import tsx --test $(TESTS)

bench: build
	@dpkg -s $(BENCH_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES) >/dev/null)
	node --import tsx test/bench/run-bench.ts
	node --import tsx test/bench/filter-bench.ts
	node --expose-gc --import tsx test/bench/table-bench.ts --capture test/bench/data/capture-2000000-snap96.pcap

clean:
	rm -rf dist test/tmp
