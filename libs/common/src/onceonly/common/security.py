"""Start-up checks that make a service fail closed: no development secret, no half a TLS configuration.

Each service's settings list what is wrong (``ServiceSettings.insecure_reasons``); ``refuse_to_start``
ends the process with every reason at once, each naming the variable to set, before anything opens a
port or a connection. Only ``ONCEONLY_DEV_MODE=true`` admits development secrets and plaintext
channels; half a TLS configuration is refused in every mode, since it is always a mistake.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from onceonly.common.logging import get_logger

log = get_logger(__name__)

DEV_MODE_VARIABLE = "ONCEONLY_DEV_MODE"


class InsecureConfiguration(ValueError):
    """The settings hold a development secret outside development mode, or half a security feature."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


class _Checked(Protocol):
    def insecure_reasons(self) -> list[str]: ...


def production_secret_problem(
    dev_mode: bool,
    variable: str,
    value: SecretStr | str | bytes | None,
    *,
    development_value: str | bytes | None = None,
) -> str | None:
    """Why ``value`` may not be used outside development mode (unset, empty, the development value)."""
    if dev_mode:
        return None
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(raw, bytes):
        raw = raw.decode(errors="replace")
    if not raw:
        return (
            f"{variable} is not set: set it from the secret store "
            f"({DEV_MODE_VARIABLE}=true only for development)"
        )
    dev = development_value.decode() if isinstance(development_value, bytes) else development_value
    if dev is not None and raw == dev:
        return (
            f"{variable} holds the development value: set it from the secret store "
            f"({DEV_MODE_VARIABLE}=true only for development)"
        )
    return None


def require_production_secret(
    dev_mode: bool,
    variable: str,
    value: SecretStr | str | bytes | None,
    *,
    development_value: str | bytes | None = None,
) -> None:
    """Raise :class:`InsecureConfiguration` naming ``variable`` unless ``value`` is a real secret."""
    problem = production_secret_problem(dev_mode, variable, value, development_value=development_value)
    if problem:
        raise InsecureConfiguration([problem])


def incomplete(
    what: str, required: Mapping[str, object | None], *, depends: Mapping[str, object | None] | None = None
) -> list[str]:
    """Reasons why a group of settings is half set: ``required`` go all together or not at all, and
    ``depends`` (e.g. a client CA) need all of ``required``. Files named must exist.
    """
    depends = depends or {}
    reasons: list[str] = []
    given = [name for name, value in required.items() if value]
    missing = [name for name, value in required.items() if not value]
    extra = [name for name, value in depends.items() if value]
    if given and missing:
        reasons.append(f"{what} is half configured: {', '.join(given)} set without {', '.join(missing)}")
    elif extra and missing:
        reasons.append(f"{what}: {', '.join(extra)} needs {', '.join(missing)} as well")
    for name, value in {**required, **depends}.items():
        if isinstance(value, Path) and not value.is_file():
            reasons.append(f"{name}={value} is not a readable file")
    return reasons


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_to_start(settings: _Checked, service: str) -> None:
    """Exit the process (status 2) with every reason the settings are unsafe, or return."""
    reasons = settings.insecure_reasons()
    if not reasons:
        return
    for reason in reasons:
        log.error("refusing to start", service=service, reason=reason)
    sys.stderr.write(f"{service}: refusing to start:\n  - " + "\n  - ".join(reasons) + "\n")
    raise SystemExit(2)
