"""Hypothesis profiles of the reliability tests.

``ci`` (the default) runs 150 examples per property; ``long`` runs 2,000 and is chosen with
``HYPOTHESIS_PROFILE=long``. The tests apply the chosen profile themselves (``@FUZZ``), so
other hypothesis tests in the same session keep their own settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # one example starts a mock and makes dozens of calls
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}

settings.register_profile("ci", max_examples=150, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("long", max_examples=2000, **_COMMON)  # type: ignore[arg-type]

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(settings.get_profile(PROFILE))
"""The settings of every property test: ``@FUZZ`` above ``@given``."""

STATEFUL = settings(FUZZ, stateful_step_count=50)
"""The settings of the state machines: each run is a sequence of up to 50 steps."""
