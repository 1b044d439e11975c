#!/usr/bin/env bash
# apt.sh installs the Debian packages named that are missing, with one apt-get update and one
# apt-get install, as root or through sudo. A package counts as present when its command is on
# the PATH (nodejs: node, npm, chromium) or dpkg knows it, so a Node.js installed another way
# is left alone. test.sh calls it once with everything the tests need; chromium.sh and
# tools.sh call it for their own part when run alone, and then find nothing missing.
set -euo pipefail

present() {
	case $1 in
	nodejs) command -v node >/dev/null 2>&1 ;;
	npm | chromium) command -v "$1" >/dev/null 2>&1 ;;
	*) dpkg -s "$1" >/dev/null 2>&1 ;;
	esac
}

missing=()
for p in "$@"; do
	present "$p" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "apt.sh: need root (or sudo) to apt-get install ${missing[*]}" >&2
		exit 1
	fi
	sudo=(sudo)
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "apt.sh: no apt-get here; install ${missing[*]} with your package manager" >&2
	exit 1
fi
echo "    installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
