"""Bugs of moto releases themselves, which plain moto has too: a test that meets one is marked
with the marker here (an expected failure on those releases only, strict: it must fail there),
naming moto's issue, never dropped or loosened."""

from __future__ import annotations

import moto
import pytest


def moto_version() -> tuple[int, ...]:
    return tuple(int(part) for part in moto.__version__.split(".")[:3] if part.isdigit())


# moto 5.1.22's UpdateAlias deletes the alias before moving it, then raises KeyError
# in plain moto as well: brought in by getmoto/moto#9745 (after 5.1.21), reported as
# getmoto/moto#9831 and fixed by getmoto/moto#9841 (in 5.2.0).
UPDATE_ALIAS_KEYERROR = pytest.mark.xfail(
    (5, 1, 22) <= moto_version() < (5, 2, 0),
    reason="moto 5.1.22: UpdateAlias raises KeyError in plain moto "
    "(https://github.com/getmoto/moto/issues/9831, fixed by "
    "https://github.com/getmoto/moto/pull/9841 in 5.2.0)",
    raises=KeyError,
    strict=True,
)
