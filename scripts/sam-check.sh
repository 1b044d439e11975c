#!/usr/bin/env bash
# sam-check.sh validates template.yaml and builds every function the way a deploy would, offline.
#
#   scripts/sam-check.sh [BUILD_DIR]
#
# 1. `sam validate --lint`: the SAM schema and cfn-lint. cfn-lint warnings fail the check too,
#    and so do its informational rules, run on their own.
# 2. `sam validate`: SAM's own translation of the template. It needs a region (not credentials, as
#    long as no AWS managed policy is named by name), so a dummy region is set when none is.
# 3. `sam build` into BUILD_DIR (default: a temporary directory, removed afterwards), then a check
#    that each function got a static linux/arm64 `bootstrap` built with the flags below.
#
# The SAM CLI comes from .tools/venv (installed by scripts/tools.sh). No AWS account is used.
# `sam build --use-container` and `--cached` are deliberately not used: with one root go.mod the
# container sees only CodeUri, and the cache misses changes under shared/ (STYLE.md Part 2.3).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sam="$root/.tools/venv/bin/sam"
if [[ ! -x $sam ]]; then
	echo "sam-check: $sam not found; run scripts/tools.sh first" >&2
	exit 1
fi

export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}
# The go1.x builder sets only GOOS and GOARCH and runs `go build` in the caller's environment, so
# the rest comes from there: a static binary (no GLIBC mismatch), no legacy RPC entry point
# (lambda.norpc), no local paths, no symbol table or DWARF (-s; about 40% smaller).
export CGO_ENABLED=0
export GOFLAGS="-trimpath -tags=lambda.norpc -ldflags=-s"

if [[ $# -gt 0 ]]; then
	build_dir=$1
	mkdir -p "$build_dir"
else
	build_dir=$(mktemp -d "${TMPDIR:-/tmp}/frontdesk-sam.XXXXXX")
	trap 'rm -rf "$build_dir"' EXIT
fi

cd "$root"

step() {
	local name=$1
	shift
	local start=$SECONDS
	echo "== $name"
	"$@"
	echo "== $name: ok ($((SECONDS - start)) s)"
}

step "sam validate --lint" "$sam" validate --lint --template-file template.yaml
# The same cfn-lint, with its informational rules too (explicit deletion policies and the like).
step "cfn-lint --include-checks I" "$root/.tools/venv/bin/cfn-lint" --include-checks I -- template.yaml
step "sam validate" "$sam" validate --template-file template.yaml
# sam build checks the knowledge base of the bot's layer and trains its model (layers/kb):
# the sample shop unless KB names another.
export KB=${KB:-sample}
step "sam build" "$sam" build --template-file template.yaml --build-dir "$build_dir" --parallel

# Every AWS::Serverless::Function must have produced a linux/arm64 ELF named bootstrap.
want=$(grep -cE '^ +Type: AWS::Serverless::Function$' template.yaml)
got=0
for bin in "$build_dir"/*/bootstrap; do
	[[ -f $bin ]] || continue
	# ELF magic, then e_machine (offset 18, little endian) 0xb7 = EM_AARCH64.
	magic=$(od -An -tx1 -N4 "$bin" | tr -d ' \n')
	machine=$(od -An -tx1 -j18 -N2 "$bin" | tr -d ' \n')
	if [[ $magic != 7f454c46 || $machine != b700 ]]; then
		echo "sam-check: $bin is not a linux/arm64 ELF (magic $magic, machine $machine)" >&2
		exit 1
	fi
	# The build settings Go records in the binary.
	info=$(go version -m "$bin")
	for want_setting in CGO_ENABLED=0 GOOS=linux GOARCH=arm64 -tags=lambda.norpc -trimpath=true; do
		if ! grep -qE "^[[:space:]]+build[[:space:]]+${want_setting}\$" <<<"$info"; then
			echo "sam-check: $bin was not built with $want_setting" >&2
			exit 1
		fi
	done
	got=$((got + 1))
done
if [[ $got -ne $want ]]; then
	echo "sam-check: built $got bootstrap binaries, template declares $want functions" >&2
	exit 1
fi
echo "sam-check: $got functions built: linux/arm64, static, lambda.norpc, stripped"
# The knowledge base layer carries the KB and its model where FAQ_KB points (/opt/kb).
layer=$build_dir/KnowledgeBase
if [[ ! -f $layer/kb.model ]] || ! compgen -G "$layer/kb/*.y*ml" >/dev/null; then
	echo "sam-check: the KnowledgeBase layer lacks kb/*.yaml or kb.model" >&2
	exit 1
fi
echo "sam-check: knowledge base layer of KB=$KB: $(ls "$layer/kb" | wc -l) YAML file(s) and kb.model"
