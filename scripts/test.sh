#!/usr/bin/env bash
# Set up and run every check: format, lint, types, import contracts, tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck disable=SC1091
source scripts/setup.sh dev
echo "== ruff format" && ruff format --check src tests bench
echo "== ruff lint" && ruff check src tests bench
echo "== mypy (strict, src and tests)" && mypy src tests
echo "== import contracts" && lint-imports --no-logo
echo "== pytest" && python -m pytest "$@"
