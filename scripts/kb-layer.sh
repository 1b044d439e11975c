#!/usr/bin/env bash
# kb-layer.sh lays out the bot's knowledge base layer; sam build runs it (layers/kb/Makefile),
# and the tests run it to lay out a layer without sam. It checks the knowledge base (frontdesk
# faq check: a bad one stops the build, before any deployment), copies its YAML files and
# trains its model once (frontdesk faq build), so that a cold start loads the model instead of
# training it.
#
#   scripts/kb-layer.sh KB OUT
#
# KB is a folder of .yaml/.yml files or one YAML file; OUT is the layer's folder. Lambda mounts
# the layer at /opt: OUT/kb/ becomes /opt/kb (FAQ_KB in template.yaml), OUT/kb.model
# /opt/kb.model.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ $# -ne 2 ]]; then
	echo "usage: scripts/kb-layer.sh KB OUT" >&2
	exit 2
fi
kb=$1
out=$2
kb=$(cd "$(dirname "$kb")" && pwd)/$(basename "$kb")

bin=$(mktemp -d "${TMPDIR:-/tmp}/frontdesk-kb.XXXXXX")
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/frontdesk" ./cmd/frontdesk)

"$bin/frontdesk" faq check "$kb"
rm -rf "$out/kb" "$out/kb.model"
mkdir -p "$out/kb"
if [[ -d $kb ]]; then
	find "$kb" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) -exec cp {} "$out/kb/" \;
else
	cp "$kb" "$out/kb/"
fi
"$bin/frontdesk" faq build "$out/kb" -o "$out/kb.model"
echo "kb-layer: $out holds the knowledge base and its model (FAQ_KB=/opt/kb)"
