#!/usr/bin/env bash
# buf breaking against main. On main itself, or before main has any protos, compare with the
# previous commit, so a change that breaks the wire format fails wherever it is made.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh
against="main"
if [ "$(git rev-parse HEAD)" = "$(git rev-parse main 2>/dev/null || true)" ]; then against="HEAD~1"; fi
if ! git rev-parse --verify --quiet "$against" >/dev/null || [ -z "$(git ls-tree -r --name-only "$against" -- protos)" ]; then
  echo "buf breaking: no earlier protos to compare with"; exit 0
fi
buf breaking --against ".git#ref=$against,subdir=." && echo "buf breaking: no breaking change against $against"
