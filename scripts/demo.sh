#!/usr/bin/env bash
# Set up and run the demo: every journey-map template drawn in Vietnamese and English
# (SVG, HTML, PDF, PNG, Excel) with an index page.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck disable=SC1091
source scripts/setup.sh
journeyscope demo -o demo-output "$@"
