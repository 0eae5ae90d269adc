"""Structured logging for every service, with personal ids scrubbed as a last line of defence.

Code logs pseudonyms, never personal ids; the scrubber still masks any run of 12 or more digits that
slips into a log event, because a single leaked id is a reportable incident (a malformed 13-digit id
holds a real one). The whole rendered line is masked again, with anything shaped like an API key, so
exception messages and tracebacks (a database error quotes its parameters) are covered too; tracebacks
are rendered without local variables.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_PERSONAL_ID = re.compile(r"(?<!\d)\d{12,}(?!\d)")
# ``oo_<16 hex>_<secret>``, the gateway's API keys (onceonly.gateway.agencies).
_API_KEY = re.compile(r"oo_[0-9a-f]{16}_[A-Za-z0-9_\-]+")


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return _PERSONAL_ID.sub("############", value)
    return value


def scrub_line(line: str) -> str:
    """Mask personal ids and API keys anywhere in a rendered log line."""
    return _API_KEY.sub("oo_################_###", _PERSONAL_ID.sub("############", line))


class _ScrubbingFormatter(structlog.stdlib.ProcessorFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub_line(super().format(record))


def scrub_personal_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask anything that looks like a personal id."""
    for key, value in event.items():
        event[key] = _mask(value)
    return event


def configure_logging(*, level: str = "INFO", json_output: bool = False) -> None:
    """Send structlog and the standard library's loggers through one pipeline to stderr."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        scrub_personal_ids,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _ScrubbingFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kafka-python is chatty at INFO about every reconnect.
    logging.getLogger("kafka").setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
