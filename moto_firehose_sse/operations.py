"""How a backend operation runs: under the plugin's lock, letting out only its modelled errors."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from . import undo
from .exceptions import FirehoseSSEError

try:  # moto >= 5.1
    from moto.core.exceptions import ServiceException
except ImportError:  # pragma: no cover - moto 5.0
    ServiceException = None  # type: ignore[assignment,misc]

LOCK = threading.RLock()
"""The lock every rule of the plugin runs under."""
_F = TypeVar("_F", bound=Callable[..., Any])


def _error_code(exc: BaseException) -> str | None:
    code = getattr(exc, "error_type", None)
    if isinstance(code, str):
        return code
    if ServiceException is not None and isinstance(exc, ServiceException):
        return str(exc.code)
    return None


def operation(
    fallback: type[FirehoseSSEError], *modelled: type[FirehoseSSEError]
) -> Callable[[_F], _F]:
    """Run under the plugin's lock as one transaction (undone if it raises, ``undo``); let
    out only the operation's modelled errors.

    moto's own errors that botocore doesn't list for the operation, and any Python
    exception, become ``fallback`` so that ``client.exceptions.X`` still catches them.
    """
    names = {cls.__name__ for cls in (fallback, *modelled)}

    def decorate(method: _F) -> _F:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                with LOCK:
                    log = undo.begin()
                    try:
                        result = method(*args, **kwargs)
                    except BaseException:
                        undo.rollback(log)
                        raise
                    undo.commit(log)
                    return result
            except Exception as exc:
                code = _error_code(exc)
                if code in names:
                    raise
                if code is not None:
                    raise fallback(str(getattr(exc, "message", exc))) from exc
                raise fallback(
                    f"moto-firehose-sse could not process this request ({type(exc).__name__}: "
                    f"{exc}); please report it with the call that caused it."
                ) from exc

        return cast(_F, wrapper)

    return decorate
