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


def _forget() -> None:
    from moto_firehose_sse import describe_body, kms, policy, undo, wildcards

    policy.parse.cache_clear()
    kms._DECISIONS.clear()
    wildcards.compile_pattern.cache_clear()
    wildcards._places.cache_clear()
    undo._SHAPES.clear()
    describe_body._describe_plan.cache_clear()


def pytest_sessionstart(session: Any) -> None:
    """Forget what the clean run parsed and decided: mutmut forks each mutant's run from the
    process that ran the tests unmutated, and cached answers would hide the mutant."""
    _forget()


def pytest_runtest_setup(item: Any) -> None:
    """And before each test: mutmut runs a mutant against the tests that reached its function
    in the clean run, and a cache filled by an earlier test hides the function from the
    later ones (Describe's plan is made once per process)."""
    _forget()
