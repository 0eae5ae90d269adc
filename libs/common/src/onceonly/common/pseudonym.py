"""Keyed pseudonyms for personal ids: HMAC-SHA256 under a secret key.

The same id always maps to the same pseudonym under one key, so the tracker can count distinct
citizens, while without the key a pseudonym cannot be turned back into an id (a plain hash could:
there are only about 10^12 ids to try).
"""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr


class Pseudonymizer:
    """Turns personal ids into pseudonyms; build one per process from ``PseudonymSettings.key``."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes | str | SecretStr) -> None:
        if isinstance(key, SecretStr):
            key = key.get_secret_value()
        raw = key.encode() if isinstance(key, str) else key
        if not raw:
            raise ValueError("the pseudonym key must not be empty")
        self._key = raw

    def pseudonym(self, personal_id: str) -> str:
        """64 lowercase hex characters, the same for the same id under the same key."""
        return hmac.new(self._key, personal_id.strip().encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        # Never show the key, even in a traceback.
        return "Pseudonymizer(key=***)"
