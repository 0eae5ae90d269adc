#!/usr/bin/env bash
# The whole suite. Under CI=true a missing service fails its tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh
mkdir -p test-artifacts
exec uv run --locked pytest "$@"
