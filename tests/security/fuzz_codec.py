"""Atheris harness for the event codec: any bytes decode to an envelope or raise EventDecodeError.

Run by tests/security/test_fuzz_codec.py in a subprocess with a time bound, or by hand:
``python tests/security/fuzz_codec.py -max_total_time=60``.
"""

from __future__ import annotations

import sys
import uuid

import atheris  # type: ignore[import-untyped,unused-ignore]

with atheris.instrument_imports():
    from onceonly.common.events import EventDecodeError, decode, encode, payload_kind


def one_input(data: bytes) -> None:
    try:
        envelope = decode(data)
    except EventDecodeError:
        return
    uuid.UUID(envelope.event_id)
    payload_kind(envelope)
    # What decoded re-encodes to something that decodes to the same envelope.
    assert decode(encode(envelope)) == envelope


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
