#!/usr/bin/env bash
# tools.sh installs the test tools into .tools/ (nothing global): a Python virtual environment
# with moto (the DynamoDB/SQS/SSM server the integration tests talk to) and the SAM CLI, and the
# Go tools pinned by go.mod's tool directive (staticcheck).
#
# It is idempotent: a stamp file records the pins, and the venv is rebuilt only when they change.
# Needs only python3 (with venv and pip) and go on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

pins=("moto[server]==5.2.5" "aws-sam-cli==1.170.0")
venv=.tools/venv
stamp=.tools/venv.stamp

want="${pins[*]} python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ -f $stamp && "$(cat "$stamp")" == "$want" && -x $venv/bin/moto_server && -x $venv/bin/sam ]]; then
	echo "tools: python venv up to date (${pins[*]})"
else
	echo "tools: installing ${pins[*]} into $venv"
	rm -rf "$venv" "$stamp"
	mkdir -p .tools
	if ! python3 -m venv "$venv"; then
		echo "tools: python3 -m venv failed: install Python 3 with its venv module (Debian: python3-venv)" >&2
		exit 1
	fi
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
	echo "$want" >"$stamp"
fi

# The IAM policy simulator of the permission check (internal/iamcheck, tests/artifact):
# @cloud-copilot/iam-simulate under Node.js, pinned by tools/iamcheck/package-lock.json.
bash scripts/apt.sh nodejs npm
iam=tools/iamcheck
iam_want=$(sha256sum "$iam/package-lock.json" | cut -d' ' -f1)
if [[ -f $iam/node_modules/.stamp && "$(cat "$iam/node_modules/.stamp")" == "$iam_want" ]]; then
	echo "tools: IAM policy simulator up to date"
else
	echo "tools: installing the IAM policy simulator into $iam/node_modules"
	(cd "$iam" && npm ci --silent --no-audit --no-fund)
	echo "$iam_want" >"$iam/node_modules/.stamp"
fi

# Build the Go tools once so the first lint run does not pay for it; the Lambda Runtime
# Interface Emulator (tools/rie, its own module) too, for tests/artifact.
go build -o /dev/null tool
go build -C tools/rie -o /dev/null github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
echo "tools: ready"
