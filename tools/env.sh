# The development environment of this checkout; every script of the project sources it, and in a
# shell `source tools/env.sh` does the same for you. It puts on the PATH the pinned tools under .tools/
# (ignored by git, so a second run is instant), uv, and the project's own commands (onceonly-lookup,
# onceonly-gateway, onceonly-tracker, onceonly-demo) from the locked environment in .venv/. It also
# turns on the development mode (development keys, loopback plaintext), which a deployment never sets.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
# The venv comes last: its python3 (without pip) must not shadow the machine's, which installs tools.
export PATH="$TOOLS/bin:$TOOLS/uv/bin:$PATH:$ROOT/.venv/bin"
export GOBIN="$TOOLS/bin"
export ONCEONLY_DEV_MODE="${ONCEONLY_DEV_MODE:-true}"
