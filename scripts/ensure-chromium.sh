#!/bin/sh
# Make Debian's chromium available for the browser tests (tests/browser). Idempotent: does
# nothing when it is already installed. Never downloads a browser through Playwright.
set -eu
if command -v chromium >/dev/null 2>&1; then
    echo "chromium: $(command -v chromium)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
echo "chromium: $(command -v chromium)"
