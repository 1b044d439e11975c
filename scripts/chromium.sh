#!/usr/bin/env bash
# chromium.sh installs what the console's browser test and `make screenshots` need, if it is
# missing: Debian's chromium (driven from Go over the DevTools protocol) and a colour emoji font
# (Slack's status lines use emoji), through apt.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt.sh chromium fonts-noto-color-emoji
echo "    $(chromium --version 2>/dev/null || echo chromium present)"
