# spanwatch — every entry point installs what it needs first, so `make run` and
# `make test` work on a fresh Debian machine (as root).

SHELL := /bin/bash
export TZ := UTC

SYS_PACKAGES := libpcap-dev tcpdump tshark chromium
BENCH_PACKAGES := pmacct
TESTS := $(sort $(wildcard test/*.test.ts test/bench/*.test.ts))
SAMPLE := test/data/sample.pcap

.PHONY: all sysdeps mta deps build check run test golden bench install clean

all: build

# System packages: libpcap for live capture (and to build `cap`), tcpdump and tshark as the
# test oracles, chromium for the report browser test. Installed only when missing.
sysdeps:
	@missing=""; for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# A local mail server for the end-to-end alert test: Debian's postfix, "Local only",
# delivering to /var/mail on loopback. Started if it is not running.
mta:
	@dpkg -s postfix >/dev/null 2>&1 || { \
	  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections; \
	  echo "postfix postfix/mailname string spanwatch.test" | debconf-set-selections; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null; }
	@postfix status >/dev/null 2>&1 || postfix start

node_modules/.installed: package.json package-lock.json | sysdeps
	npm ci --no-audit --no-fund
	touch $@

deps: sysdeps node_modules/.installed

# tsc compiles every module into dist/; then dist/cli/main.js, the command itself, is
# replaced by a bundle of the modules it loads (esbuild, split into chunks beside it, so a
# command loads only its own): loading some 80 modules one by one cost about 0.1 s of
# every command. The worker threads are bundled beside it too, where the chunk that starts
# them looks for them.
build: deps
	npx tsc -p tsconfig.json
	rm -f dist/cli/chunk-*.js
	npx esbuild src/cli/main.ts src/report/csv-worker.ts src/report/summary-worker.ts --bundle --splitting \
	  --format=esm --platform=node --target=node20 --packages=external --entry-names=[name] \
	  --chunk-names=chunk-[hash] --outdir=dist/cli --allow-overwrite --log-level=warning

# Typecheck the sources (tsconfig.json) and the tests with the same strict options.
check: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc --noEmit --strict --noUncheckedIndexedAccess --target ES2022 --module NodeNext --moduleResolution NodeNext --skipLibCheck --types node $(TESTS) $(wildcard test/support/*.ts test/bench/*.ts)

# The main job on the bundled sample capture: tables per interval into reports/. The demo
# store starts empty each time: it learns the first 4 minutes of the sample, then every row
# first seen in the rest is a finding (stderr, reports/findings/) and waits as pending.
run: build
	rm -rf reports/baselines reports/findings reports/outbox reports/alerts
	node dist/cli/main.js run --read $(SAMPLE) --reports reports --baselines reports/baselines --learn 4m
	node dist/cli/main.js baseline list --baselines reports/baselines
	@echo "next: node dist/cli/main.js baseline pending --baselines reports/baselines"
	@echo; echo "== act two: the mail-enclave span watcher (etc/enclave.yaml, README \"Policy\") =="
	rm -rf reports/enclave baselines/enclave
	node dist/cli/main.js policy test --config etc/enclave.yaml --read test/data/enclave.pcap
	node dist/cli/main.js run --config etc/enclave.yaml --read test/data/enclave.pcap --reports reports/enclave --baselines baselines/enclave --summary none
	@echo "findings: reports/enclave/findings/ (each denied_row names its rule)"

test: build mta
	node --import tsx --test --test-concurrency=2 $(TESTS)

# Rewrite the golden files from the current code; review the result with `git diff test/golden`.
golden: build
	UPDATE_GOLDEN=1 node --import tsx --test $(TESTS)

bench: build
	@dpkg -s $(BENCH_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES) >/dev/null)
	node --import tsx test/bench/run-bench.ts
	node --import tsx test/bench/filter-bench.ts
	node --expose-gc --import tsx test/bench/table-bench.ts --capture test/bench/data/capture-2000000-snap96.pcap
	node --expose-gc --import tsx test/bench/baseline-bench.ts --packets 500000
	node --import tsx test/bench/policy-bench.ts
	node --import tsx test/bench/alert-latency-bench.ts
	node --import tsx test/bench/alert-live-latency-bench.ts
	node --expose-gc --import tsx test/bench/report-bench.ts
	node --import tsx test/bench/live-soak-bench.ts --seconds 60

# Installs spanwatch as a service: files under $(PREFIX) (default /opt/spanwatch), the
# `spanwatch` system user, the systemd unit. Idempotent.
install: build
	sh etc/install.sh

clean:
	rm -rf dist test/tmp
