"""The README's and docs/API.md's commands, run as a newcomer runs them.

The stack is started the README's way (`make up`, from the repository), then every command block of
the README's "Calling the API" and of docs/API.md runs, in order, in one new shell whose PATH holds only
what a fresh machine has (the project's .tools/ and .venv/ taken out) and which first does what the
README says: `source tools/env.sh`. A block that fails fails the test, and a curl that does not fail on
an HTTP error would hide one, so every curl in those blocks must say --fail.

Stores, logs and state go to the test's own folder (ONCEONLY_VAR_DIR), events to a topic of the test's
own; the ports are the README's, so a stack already running on them is stopped first (`make down`).
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.services import port_open, service_missing

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("LOOKUP", "GATEWAY", "TRACKER")
PORTS = (50051, 8080, 8090)
# Each document, and the sections of it whose command blocks a newcomer copies after `make up`.
DOCUMENTS = {
    "README.md": ("Calling the API",),
    "docs/API.md": None,  # every section
}
_FENCE = re.compile(r"^```(\w*)\s*$")


def command_blocks(text: str, sections: tuple[str, ...] | None) -> list[str]:
    """The ```sh / ```bash blocks of a Markdown text, under the given `##` sections (None: all)."""
    blocks: list[str] = []
    section = ""
    block: list[str] | None = None
    language = ""
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if block is not None:
            if fence and not fence.group(1):
                if language in {"sh", "bash"} and (sections is None or section in sections):
                    blocks.append("\n".join(block))
                block = None
            else:
                block.append(line)
        elif fence:
            block, language = [], fence.group(1)
        elif line.startswith("## "):
            section = line[3:].strip()
    return blocks


def test_command_blocks_are_found_by_section() -> None:
    text = "## A\n```sh\necho a\n```\n## B\n```bash\necho b\n```\n```python\nprint()\n```\n"
    assert command_blocks(text, ("A",)) == ["echo a"]
    assert command_blocks(text, None) == ["echo a", "echo b"]


def fresh_machine_path() -> str:
    """This machine's PATH without anything the project installed (uv, pinned tools, the venv)."""
    kept = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]
    return os.pathsep.join(entry for entry in kept if not Path(entry).resolve().is_relative_to(ROOT))


def make(env: dict[str, str], target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def readme_stack(tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str) -> Iterator[dict[str, str]]:
    topic = f"readme.{uuid.uuid4().hex[:10]}"
    var = tmp_path_factory.mktemp("var")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ONCEONLY_", "VIRTUAL_ENV", "UV_"))},
        "PATH": fresh_machine_path(),
        # The stack's stores where the documented commands find them too (by default both use var/).
        "ONCEONLY_VAR_DIR": str(var),
        **{f"ONCEONLY_{name}_DATABASE_URL": f"sqlite:///{var}/{name.lower()}.db" for name in SERVICES},
        "ONCEONLY_DEMO_PROFILE": "small",
        "ONCEONLY_DEMO_POPULATION": "1500",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KAFKA_TOPIC": topic,
        "KAFKA_DEAD_LETTER_TOPIC": f"{topic}.dlq",
        "ONCEONLY_TRACKER_CONSUMER_GROUP": f"tracker-{topic}",
    }
    busy = [port for port in PORTS if port_open("127.0.0.1", port, timeout=0.2)]
    if busy:
        service_missing(f"ports {busy} are taken (a stack already running? `make down` first)")

    up = make(env, "up")
    try:
        assert up.returncode == 0, f"make up failed:\n{up.stdout}\n{up.stderr}"
        yield env
    finally:
        make(env, "down")


@pytest.mark.kafka
@pytest.mark.slow
@pytest.mark.timeout(1200)  # `make up` first: seeding and the demo
def test_every_documented_command_works_as_written(readme_stack: dict[str, str]) -> None:
    blocks = [
        block
        for document, sections in DOCUMENTS.items()
        for block in command_blocks((ROOT / document).read_text("utf-8"), sections)
    ]
    assert len(blocks) >= 5, "the documents lost their command blocks"
    for block in blocks:
        for curl in re.findall(r"curl\b[^\n]*", block):
            assert re.search(r"\s(-\w*f\w*|--fail(-with-body)?)\b", curl), f"curl without --fail: {curl}"

    script = "set -euo pipefail\nsource tools/env.sh\n" + "\n".join(
        f"echo '>>> block {n}' >&2\n{block}" for n, block in enumerate(blocks, 1)
    )
    shell = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=readme_stack,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = f"{shell.stdout[-4000:]}\n{shell.stderr[-4000:]}"
    assert shell.returncode == 0, f"a documented command failed:\n{output}"


def _file_another_agencys_dossier(env: dict[str, str]) -> None:
    """An agency that is not the demo's files and resolves a dossier inside the demo's period."""

    def command(*args: str) -> str:
        done = subprocess.run(
            ["bash", "-c", 'source tools/env.sh && "$@"', "-", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        return done.stdout.strip().splitlines()[-1]

    key = command(
        "onceonly-gateway", "agency", "add", "--code", "OTHER-DESK", "--name", "Another desk",
        "--province", "Hà Nội", "--scopes", "dossiers:write,dossiers:import",
    )  # fmt: skip
    applicant = command("onceonly-lookup", "sample", "--count", "1")
    headers = {"Authorization": f"Bearer {key}"}
    dossier = {
        "dossier_id": "OTHER-DESK-2025-000001",
        "procedure_code": "1.004873",
        "applicant_personal_id": applicant,
        "channel": "counter",
        "received_at": "2025-03-03T09:00:00+07:00",
        "components": [{"code": "to_khai", "state": 0}],
    }
    with httpx.Client(base_url="http://127.0.0.1:8080", headers=headers, timeout=10) as gateway:
        receipt = gateway.post("/v1/dossiers", json=dossier)
        assert receipt.status_code == 201, receipt.text
        resolved = gateway.post(
            "/v1/dossiers/OTHER-DESK-2025-000001/resolution",
            json={"outcome": "approved", "resolved_at": "2025-03-04T09:00:00+07:00"},
        )
        assert resolved.status_code in {200, 201}, resolved.text


@pytest.mark.kafka
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_second_make_up_passes_on_a_store_in_use(readme_stack: dict[str, str]) -> None:
    """Others' dossiers in the demo's period do not trip the demo's re-run check."""
    _file_another_agencys_dossier(readme_stack)
    down = make(readme_stack, "down")
    assert down.returncode == 0, down.stderr
    up = make(readme_stack, "up")
    assert up.returncode == 0, f"{up.stdout}\n{up.stderr}"
    assert "already ran" in up.stderr
