#!/usr/bin/env bash
# Generates Python messages, gRPC stubs and .pyi stubs for protos/ into the given folder
# (default: libs/contracts/src). `make proto-check` generates into a scratch folder and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh
out="${1:-libs/contracts/src}"
find "$out/onceonly" -name '*_pb2*.py*' -delete 2>/dev/null || true
mkdir -p "$out"
uv run --locked python -m grpc_tools.protoc -I protos \
  --python_out="$out" --grpc_python_out="$out" \
  --mypy_out=quiet:"$out" --mypy_grpc_out=quiet:"$out" \
  $(find protos -name '*.proto' | sort)
