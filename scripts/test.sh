#!/usr/bin/env bash
# test.sh is the whole check, as CI runs it (make test, .ci/run): install the Debian packages the
# tests need (one apt-get update), the pinned tools, start moto, check formatting, vet, staticcheck, run every Go test with the race detector
# against moto, fuzz every Fuzz* target briefly, then check the SAM template if
# scripts/sam-check.sh exists.
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
	printf '\n==> %s\n' "$*"
	step_started=$SECONDS
}
done_step() { echo "    (${1:-done} in $((SECONDS - step_started))s)"; }

step "Debian packages: Node.js for the IAM check, Chromium and an emoji font for the browser test (one apt-get update, when missing)"
bash scripts/apt.sh nodejs npm chromium fonts-noto-color-emoji
bash scripts/chromium.sh
done_step

step "tools"
bash scripts/tools.sh
done_step

step "moto"
bash scripts/moto.sh start
trap 'bash scripts/moto.sh stop' EXIT
FRONTDESK_MOTO_ENDPOINT=$(bash scripts/moto.sh endpoint)
export FRONTDESK_MOTO_ENDPOINT
done_step

step "lint: gofmt, go vet, staticcheck"
bash scripts/lint.sh
done_step

step "store conformance suite (embedded store and DynamoDB on moto)"
for pkg in memstore dynamo; do
	log=.tools/conformance-$pkg.log
	if ! go test -race -count=1 -v -run '^Test(Consent)?Conformance$' "./shared/$pkg" >"$log" 2>&1; then
		cat "$log"
		echo "conformance suite failed for $pkg" >&2
		exit 1
	fi
	grep -E -- '^(ok|FAIL)|--- (PASS|FAIL): Test(Consent)?Conformance(/[A-Za-z]+)? ' "$log" | sed "s|^ *|  $pkg: |"
	echo "  $pkg: $(grep -cE -- '--- PASS: Test(Consent)?Conformance/.*/|--- PASS: TestConsentConformance/' "$log") conformance cases passed"
done
done_step

step "go test -race ./..."
go test -race ./...
done_step

# A count, not a duration: Go 1.26's fuzz coordinator can report "context deadline exceeded" at
# the end of a -fuzztime duration without any failing input (golang/go#75804, fixed in 1.27).
step "fuzz: every Fuzz* target for 20000 inputs (make fuzz runs them longer)"
FUZZTIME=20000x bash scripts/fuzz.sh
done_step

step "SAM template"
if [[ -f scripts/sam-check.sh ]]; then
	PATH="$PWD/.tools/venv/bin:$PATH" bash scripts/sam-check.sh
	done_step
else
	echo "    no scripts/sam-check.sh in this tree yet"
fi

printf '\n==> all checks passed in %ss\n' "$SECONDS"
