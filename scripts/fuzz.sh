#!/usr/bin/env bash
# fuzz.sh runs every Fuzz* target of the repository, one after another, for FUZZTIME each: a
# duration or a count of inputs (default 30s; scripts/test.sh runs 20000x). Targets are found in
# the *_test.go files, so a new FuzzXxx is fuzzed without being listed anywhere. With Go 1.26 a
# duration can end in a spurious "context deadline exceeded" with no failing input written
# (golang/go#75804): rerun, or give a count (FUZZTIME=1000000x).
#
#   FUZZTIME=5m bash scripts/fuzz.sh                 # every target, 5 minutes each
#   FUZZTIME=1m bash scripts/fuzz.sh ./shared/meta   # only the targets of some packages
#
# A failing input is written to <package>/testdata/fuzz/<FuzzName>/ by go test: commit it with
# the fix, and it becomes part of the package's ordinary tests.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
if [[ $# -gt 0 ]]; then
	dirs=("$@")
else
	dirs=(.)
fi

# "<package dir> <target>" for every func FuzzXxx(f *testing.F) outside .tools and .aws-sam.
mapfile -t targets < <(
	grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "${dirs[@]}" |
		grep -v -e '^\./\.tools/' -e '^\./\.aws-sam/' |
		sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' |
		sort -u
)
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no Fuzz targets under ${dirs[*]}" >&2
	exit 1
fi

echo "fuzz: ${#targets[@]} targets, $fuzztime each"
started=$SECONDS
failed=()
for t in "${targets[@]}"; do
	read -r dir name <<<"$t"
	pkg=./${dir#./}
	log=$(mktemp)
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1; then
		printf '  ok    %-28s %s\n' "$name" "$pkg"
	else
		printf '  FAIL  %-28s %s\n' "$name" "$pkg"
		sed 's/^/        /' "$log"
		failed+=("$name")
	fi
	rm -f "$log"
done
echo "fuzz: done in $((SECONDS - started))s"
if [[ ${#failed[@]} -gt 0 ]]; then
	echo "fuzz: failing targets: ${failed[*]} (inputs in testdata/fuzz/ of their packages)" >&2
	exit 1
fi
