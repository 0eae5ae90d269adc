"""Rendered manifests, shared by the Kubernetes checks."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tooling import DEPLOY, kubernetes_schemas, kustomize_command

KUSTOMIZATIONS = {"base": DEPLOY / "k8s" / "base", "production": DEPLOY / "k8s" / "overlays" / "production"}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each kustomization rendered once to a YAML file: {"base": path, "production": path}."""
    command = kustomize_command()
    out = tmp_path_factory.mktemp("kustomize")
    files: dict[str, Path] = {}
    for name, folder in KUSTOMIZATIONS.items():
        result = subprocess.run([*command, str(folder)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"kustomize {name}: {result.stderr}"
        files[name] = out / f"{name}.yaml"
        files[name].write_text(result.stdout, encoding="utf-8")
    return files


@pytest.fixture(scope="session")
def manifests(rendered: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
        for name, path in rendered.items()
    }


@pytest.fixture(scope="session")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kubernetes_schemas(tmp_path_factory.mktemp("k8s-schemas"))
