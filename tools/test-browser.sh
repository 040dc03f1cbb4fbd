#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the report tests (Export-StingRestartReport), installing
# Debian's chromium package with apt when it is missing and this runs as root. Exit 2 (and nothing printed) when
# there is none and it cannot be installed: the tests then skip, which CI counts as a failure.
# Usage: tools/test-browser.sh
set -euo pipefail

for name in chromium chromium-browser; do
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-browser: no chromium on PATH, and this is not root on Debian to install it (apt-get install chromium)." >&2
  exit 2
fi
echo "test-browser: installing chromium (apt)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
command -v chromium
