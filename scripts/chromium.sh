#!/usr/bin/env bash
# chromium.sh installs what the console's browser test and `make screenshots` need, if it is
# missing: Debian's chromium (driven from Go over the DevTools protocol) and a colour emoji font
# (Slack's status lines use emoji). It runs apt-get update at most once, as root or through sudo.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
if [[ ${#missing[@]} -eq 0 ]]; then
	echo "    $(chromium --version 2>/dev/null || echo chromium present)"
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "chromium.sh: need root (or sudo) to apt-get install ${missing[*]}" >&2
		exit 1
	fi
	sudo=(sudo)
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "chromium.sh: no apt-get here; install ${missing[*]} with your package manager" >&2
	exit 1
fi
echo "    installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "    $(chromium --version 2>/dev/null)"
