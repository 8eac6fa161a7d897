#!/usr/bin/env bash
# Shared setup: a virtual environment in .venv with JourneyScope installed, and Debian's
# Chromium (for PDF/PNG output and the browser tests) when it is missing.
# Usage: source scripts/setup.sh [extra]   e.g. `source scripts/setup.sh dev`
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extra="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if [ -n "$extra" ]; then
  python -m pip install --quiet -e ".[$extra]"
else
  python -m pip install --quiet -e .
fi

# compile the funnel, path and component engines now (numba caches them), not on first use
python -m journeyscope.analytics.funnel_kernel
python -m journeyscope.analytics.attribution.path_kernel
python -m journeyscope.identity.stitch_kernel

if ! command -v chromium >/dev/null 2>&1 && [ -z "${JOURNEYSCOPE_CHROMIUM:-}" ]; then
  sudo_cmd=""
  if [ "$(id -u)" != "0" ]; then sudo_cmd="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium and fonts for PDF/PNG output..." >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
      chromium fonts-noto-core fonts-dejavu-core poppler-utils >/dev/null
  else
    echo "warning: Chromium not found and apt-get is unavailable; PDF/PNG output and" \
         "browser tests will be skipped. Install Chromium or set JOURNEYSCOPE_CHROMIUM." >&2
  fi
fi

# the Spark engine (dev extra: its conformance tests) needs Java 17 or newer
if [ "$extra" = "dev" ] && ! command -v java >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Java 17 for the Spark engine's tests..." >&2
  sudo_cmd=""
  if [ "$(id -u)" != "0" ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
