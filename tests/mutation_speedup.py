"""A pytest plugin for mutation runs only (`-p tests.mutation_speedup`, see pyproject.toml).

moto gives every mock a new boto3 default session, so each test's clients load botocore's
service models from disk again: most of a fast test's time. This shares one botocore data
loader across sessions, as one session shares it across its clients. Nothing else changes.
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
