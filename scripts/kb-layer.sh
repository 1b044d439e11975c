#!/usr/bin/env bash
# kb-layer.sh lays out the bot's knowledge base layer for `sam build`: it checks the knowledge
# base (frontdesk faq check; a bad one stops here, before any deployment), copies its YAML
# files and trains its model once (frontdesk faq build), so that a cold start loads the model
# instead of training it.
#
#   scripts/kb-layer.sh [KB] [OUT]
#
# KB is a folder of .yaml/.yml files or one YAML file (default: the sample shop,
# shared/faq/kb/shop); OUT defaults to build/kb-layer. Lambda mounts the layer at /opt:
# OUT/kb/ becomes /opt/kb (FAQ_KB in template.yaml) and OUT/kb.model /opt/kb.model.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kb=${1:-$root/shared/faq/kb/shop}
out=${2:-$root/build/kb-layer}
kb=$(cd "$(dirname "$kb")" && pwd)/$(basename "$kb")

bin=$(mktemp -d "${TMPDIR:-/tmp}/frontdesk-kb.XXXXXX")
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/frontdesk" ./cmd/frontdesk)

"$bin/frontdesk" faq check "$kb"
rm -rf "$out"
mkdir -p "$out/kb"
if [[ -d $kb ]]; then
	find "$kb" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) -exec cp {} "$out/kb/" \;
else
	cp "$kb" "$out/kb/"
fi
"$bin/frontdesk" faq build "$out/kb" -o "$out/kb.model"
echo "kb-layer: $out ready for sam build (FAQ_KB=/opt/kb)"
