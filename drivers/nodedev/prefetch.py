"""Host enumeration started before the daemon has finished importing itself.

A socket-activated daemon is started by its first client, and a first ``nodedev-list`` waits
for enumeration. Reading udev is mostly libudev (ctypes calls release the GIL) and sysfs
reads, so a thread started first thing overlaps it with importing trio and the protocol
modules. The driver's ``run`` takes the result; without ``start`` it enumerates as before.
"""

from __future__ import annotations

import threading
from typing import Any

_thread: threading.Thread | None = None
_outcome: dict[str, Any] = {}


def _work() -> None:
    try:
        from .devices import KEPT_SUBSYSTEMS, capability_of
        from .sources import UdevSource

        source = UdevSource()
        monitor = source.monitor()  # listening before enumeration, as the driver does
        records = source.enumerate(lambda record: capability_of(record) is not None, KEPT_SUBSYSTEMS)
        _outcome["value"] = (source, monitor, records)
    except Exception as error:  # reported by the driver, as its own enumeration would be
        _outcome["error"] = error


def start() -> None:
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_work, name="nodedev-prefetch", daemon=True)
        _thread.start()


def take() -> tuple[Any, Any, list] | None:
    """(source, monitor, records) once the thread is done; None if it was never started or
    was already taken. Blocks: call it from a worker thread."""
    global _thread
    if _thread is None:
        return None
    _thread.join()
    _thread = None
    if "error" in _outcome:
        raise _outcome.pop("error")
    return _outcome.pop("value")
