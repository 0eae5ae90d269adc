# Sourced by the Makefile's recipes and the local-service scripts: where project tools live.
# Tools are installed under .tools/ (ignored by git) so a second run is instant.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/bin:$TOOLS/uv/bin:$PATH"
export GOBIN="$TOOLS/bin"
