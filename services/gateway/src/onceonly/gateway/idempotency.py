"""Repeatable writes: a dossier's receipt or resolution sent again answers what the first answered.

What tells a repeat from a conflict is the request's hash, stored with the first answer: the same
body again is a repeat (200, the stored answer), another body for the same dossier a conflict (409).
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from onceonly.gateway.responses import canonical


def request_hash(body: BaseModel) -> str:
    """SHA-256 of the body's canonical JSON: equal for equal content, whatever its key order."""
    return hashlib.sha256(canonical(body.model_dump(mode="json"))).hexdigest()
