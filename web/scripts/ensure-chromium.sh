#!/bin/sh
# The browser tests drive Debian's chromium through playwright-core; bundled
# browser downloads are not available, so install the distribution package
# when it is missing (needs root, as on CI and the dev machines).
set -eu
BROWSER="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$BROWSER" ]; then exit 0; fi
echo "ensure-chromium: $BROWSER missing, installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
