#!/usr/bin/env bash
# lint.sh checks formatting (gofmt), runs go vet and staticcheck (pinned by go.mod's tool
# directive). It fails listing the files gofmt would change.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t unformatted < <(find . -name '*.go' -not -path './.tools/*' -not -path './.aws-sam/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
if ((${#unformatted[@]})); then
	echo "gofmt: these files are not formatted (run make fmt):" >&2
	printf '  %s\n' "${unformatted[@]}" >&2
	exit 1
fi
echo "gofmt: ok"
go vet ./...
echo "go vet: ok"
go tool staticcheck ./...
echo "staticcheck: ok"
