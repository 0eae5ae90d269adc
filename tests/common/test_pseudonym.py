"""Pseudonyms: keyed, stable, and no trace of the personal id."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from onceonly.common.pseudonym import Pseudonymizer

PERSONAL_ID = "001099012345"


def test_the_same_id_under_the_same_key_gives_the_same_pseudonym() -> None:
    assert Pseudonymizer("k1").pseudonym(PERSONAL_ID) == Pseudonymizer("k1").pseudonym(PERSONAL_ID)


def test_another_key_gives_another_pseudonym() -> None:
    assert Pseudonymizer("k1").pseudonym(PERSONAL_ID) != Pseudonymizer("k2").pseudonym(PERSONAL_ID)


def test_a_pseudonym_is_64_hex_characters_and_holds_no_digit_run_of_the_id() -> None:
    pseudonym = Pseudonymizer("k1").pseudonym(PERSONAL_ID)
    assert re.fullmatch(r"[0-9a-f]{64}", pseudonym)
    assert PERSONAL_ID not in pseudonym


def test_it_is_hmac_sha256_of_the_id() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"k1", PERSONAL_ID.encode(), hashlib.sha256).hexdigest()
    assert Pseudonymizer(b"k1").pseudonym(PERSONAL_ID) == expected


def test_str_bytes_and_secret_keys_agree() -> None:
    pseudonyms = {Pseudonymizer(key).pseudonym(PERSONAL_ID) for key in ("k1", b"k1", SecretStr("k1"))}
    assert len(pseudonyms) == 1


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        Pseudonymizer("")


def test_the_key_never_shows_in_repr() -> None:
    assert "secret-key" not in repr(Pseudonymizer("secret-key"))


@given(st.lists(st.from_regex(r"\d{12}", fullmatch=True), min_size=2, max_size=20, unique=True))
def test_distinct_ids_get_distinct_pseudonyms(ids: list[str]) -> None:
    pseudonymizer = Pseudonymizer("k1")
    assert len({pseudonymizer.pseudonym(personal_id) for personal_id in ids}) == len(ids)
