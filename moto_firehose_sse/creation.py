"""The creation of one stream (rules 39-40): CREATING until the ``firehose::creation``
transition ends, then ACTIVE, or CREATING_FAILED when the encryption input's key can't be used.

The model's default is ``immediate``: Create answers with the stream already ACTIVE, as plain
moto does. With ``manual`` or ``time`` the stream shows CREATING first; meanwhile Start, Stop
and Delete are ResourceInUseException and puts ResourceNotFoundException (the backend refuses
every change to a stream that is not ACTIVE), and Describe and List show it.
"""

from __future__ import annotations

import time
from typing import Any

from .controller import CREATION_MODEL_NAME
from .exceptions import ResourceInUseException
from .rules import ENABLING_FAILED, StreamEncryption, transition_end

CREATING, CREATING_FAILED, ACTIVE = "CREATING", "CREATING_FAILED", "ACTIVE"


class StreamCreation:
    """The creation of one stream (of any source), from CreateDeliveryStream to its end.

    A DirectPut stream created with an encryption input is ENABLING meanwhile (its
    ``StreamEncryption`` is ``creating``); the key is checked when the creation ends, so a key
    disabled while CREATING fails it, as one disabled while ENABLING fails an enable (rule 18).
    """

    __slots__ = ("started_at", "ticks")

    def __init__(self) -> None:
        self.started_at = time.time()
        self.ticks = 0  # Describes that showed CREATING

    def advance(self) -> None:
        """One Describe has shown CREATING."""
        self.ticks += 1

    def settle(self, stream: Any, enc: StreamEncryption | None, account: str, now: float) -> bool:
        """End the creation if its transition is over; True when it ended.

        The stream is then ACTIVE, or CREATING_FAILED when the enable of its encryption input
        failed (the failure stays on the encryption block and Describe shows it at the top).
        """
        ended = transition_end(CREATION_MODEL_NAME, self.started_at, self.ticks, now)
        if ended is None:
            return False
        status = ACTIVE
        if enc is not None and enc.creating:
            assert enc.target is not None
            name = stream.delivery_stream_name
            enc.finish_enable(enc.target, account, stream.delivery_stream_arn, name, ended)
            if enc.status == ENABLING_FAILED:
                status = CREATING_FAILED
        stream.delivery_stream_status = status
        return True


def refuse_delete(name: str, account: str) -> ResourceInUseException:
    """DeleteDeliveryStream of a CREATING stream (the DeleteDeliveryStream documentation)."""
    return ResourceInUseException(
        f"Firehose {name} under account {account} is CREATING: you can't delete a Firehose "
        "stream that is in the CREATING state. Delete it once DescribeDeliveryStream shows "
        "ACTIVE or CREATING_FAILED."
    )
