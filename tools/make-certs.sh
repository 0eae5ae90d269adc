#!/usr/bin/env bash
# Certificates and Kafka credentials for deploy/compose.yaml (tools/make_certs.py), in deploy/certs/.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh
exec uv run --locked python tools/make_certs.py "$@"
