"""Onceonly gateway: the authenticated, purpose-bound, audited API agency systems call."""
