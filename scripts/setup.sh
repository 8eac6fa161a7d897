#!/usr/bin/env bash
# Shared setup: a virtual environment in .venv with JourneyScope installed, and Debian's
# Chromium (for PDF/PNG output and the browser tests) when it is missing.
# Usage: source scripts/setup.sh [extra]   e.g. `source scripts/setup.sh dev`
#    or: bash scripts/setup.sh [extra] && . .venv/bin/activate
# Safe to source: the work runs in a subshell (its `set -euo pipefail` and `cd` stay there),
# and only the venv activation reaches the caller's shell. JOURNEYSCOPE_SETUP_DRY=1 skips
# every install and compile (the tests use it to check that the caller's shell is left alone).

_journeyscope_setup() (
  set -euo pipefail
  cd "$1"
  extra="$2"
  dry="${JOURNEYSCOPE_SETUP_DRY:-}"
  python="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  if [ -n "$dry" ]; then
    echo "JOURNEYSCOPE_SETUP_DRY set: installs and compiles skipped" >&2
    exit 0
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
  python -m pip install --quiet --upgrade pip
  if [ -n "$extra" ]; then
    python -m pip install --quiet -e ".[$extra]"
  else
    python -m pip install --quiet -e .
  fi

  # compile the funnel, retention, paths, touchpoints, attribution path and component engines now (numba caches them), not on first use
  python -m journeyscope.analytics.funnel_kernel
  python -m journeyscope.analytics.retention_kernel
  python -m journeyscope.analytics.paths_kernel
  python -m journeyscope.analytics.touchpoints_kernel
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
)

# Called as a plain statement (not in an `if`), so `set -e` inside the subshell stays active.
_journeyscope_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_journeyscope_setup "$_journeyscope_root" "${1:-}"
_journeyscope_rc=$?
if [ "$_journeyscope_rc" = 0 ]; then
  if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # sourced: activate the venv in the caller's shell
    # shellcheck disable=SC1091
    . "$_journeyscope_root/.venv/bin/activate"
  else
    echo "Done. Activate the environment: . .venv/bin/activate" >&2
    echo "Xong. Kích hoạt môi trường: . .venv/bin/activate" >&2
  fi
else
  echo "setup failed (exit $_journeyscope_rc) / cài đặt thất bại (mã $_journeyscope_rc)" >&2
fi
unset -f _journeyscope_setup
unset _journeyscope_root
# `return` when sourced, `exit` when executed; the status is the setup's
# shellcheck disable=SC2317
return "$_journeyscope_rc" 2>/dev/null || exit "$_journeyscope_rc"
