"""A pytest plugin for mutation runs only (`-p tests.mutation_speedup`, see pyproject.toml).

moto gives every mock a new boto3 default session, so each test's clients load botocore's
service models from disk again: most of a fast test's time. This shares one botocore data
loader across sessions, as one session shares it across its clients; and it empties the
plugin's caches at the start of each run and of each test (see ``_forget``).
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.loaders
import botocore.session

_create_loader = functools.lru_cache(maxsize=None)(botocore.loaders.create_loader)


def _shared_loader(search_path_string: Any = None) -> botocore.loaders.Loader:
    return _create_loader(search_path_string)


botocore.session.create_loader = _shared_loader  # type: ignore[attr-defined]


def _cache_clear(function: Any) -> None:
    """Empty the cache of ``function``, under the wrappers a test may have put around it."""
    while not hasattr(function, "cache_clear") and hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    function.cache_clear()


def _forget() -> None:
    from moto_firehose_sse import describe_body, kms, policy, undo, wildcards

    for cached in (
        policy.parse,
        wildcards.compile_pattern,
        wildcards._places,
        describe_body._describe_plan,
    ):
        _cache_clear(cached)
    kms._DECISIONS.clear()
    undo._SHAPES.clear()


def pytest_sessionstart(session: Any) -> None:
    """Forget what the clean run parsed and decided: mutmut forks each mutant's run from the
    process that ran the tests unmutated, and cached answers would hide the mutant."""
    _forget()


def pytest_runtest_setup(item: Any) -> None:
    """And before each test: mutmut runs a mutant against the tests that reached its function
    in the clean run, and a cache filled by an earlier test hides the function from the
    later ones (Describe's plan is made once per process)."""
    _forget()
