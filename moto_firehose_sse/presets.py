"""Presets: named sets of settings and transitions, for ``mock_firehose_sse(preset=...)``,
the ``firehose_sse`` marker, the threaded server and the pytest switch ``--firehose-sse``.

- ``strict``: the defaults, AWS's behaviour.
- ``compat``: what a suite written for plain moto needs to stay green while still getting
  AWS's errors and shapes: immediate encryption and deletion transitions, lenient keys.
"""

from __future__ import annotations

from typing import Any, Literal

from .controller import DELETION_MODEL_NAME, MODEL_NAME, FirehoseSSE

Preset = Literal["strict", "compat"]

_IMMEDIATE = {"progression": "immediate"}

PRESETS: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {
    "strict": ({}, {}),
    "compat": (
        {"lenient_keys": True},
        {MODEL_NAME: _IMMEDIATE, DELETION_MODEL_NAME: _IMMEDIATE},
    ),
}
"""Preset name -> (settings, state-manager transitions by model name)."""


def check(preset: Any) -> None:
    """Raise ``ValueError`` unless ``preset`` is None or a preset name."""
    if preset is not None and (not isinstance(preset, str) or preset not in PRESETS):
        raise ValueError(f"preset must be one of {sorted(PRESETS)} (or left out), not {preset!r}")


def settings(preset: str | None, given: dict[str, Any]) -> dict[str, Any]:
    """The preset's settings with ``given`` on top, checked (``ValueError``/``TypeError``)."""
    check(preset)
    combined = {**PRESETS[preset or "strict"][0], **given}
    FirehoseSSE().configure(**combined)  # unknown names: TypeError; bad values: ValueError
    return combined


def transitions(preset: str | None) -> dict[str, dict[str, Any]]:
    """The state-manager transitions the preset sets, by model name (fresh copies)."""
    check(preset)
    return {name: dict(t) for name, t in PRESETS[preset or "strict"][1].items()}
