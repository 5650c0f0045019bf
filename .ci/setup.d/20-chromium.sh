#!/bin/bash
# Headless Chromium for the profile report's browser test (test/profile.chromium.test.ts):
# Debian's chromium package at /usr/bin/chromium, driven by playwright-core (no browser download).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
