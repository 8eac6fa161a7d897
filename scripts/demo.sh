#!/usr/bin/env bash
# Set up and run the demo: a Vietnamese omnichannel retailer's exports generated, imported
# into demo-output/workspace and stitched into customers; every journey-map template drawn
# in Vietnamese and English (SVG, HTML, PDF, PNG, Excel); the journeys analysed (funnel,
# stages, touchpoints, paths, retention); demo-output/report.html written.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck disable=SC1091
source scripts/setup.sh
journeyscope demo -o demo-output "$@"
