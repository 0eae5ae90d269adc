"""Domain errors of the lookup service; ``interceptors.ErrorMappingInterceptor`` maps them to status codes.

Messages go back to the caller as the status details, so they never hold a personal id.
"""

from __future__ import annotations


class LookupServiceError(Exception):
    """Base of the errors a caller can act on."""


class InvalidArgument(LookupServiceError):
    """The request is malformed (INVALID_ARGUMENT)."""


class NotFound(LookupServiceError):
    """The requested record does not exist (NOT_FOUND)."""


class ResultConflict(LookupServiceError):
    """A different result is already registered under this id (ALREADY_EXISTS)."""
