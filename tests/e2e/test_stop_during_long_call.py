"""SIGTERM while a client's call is held up (a fault rule's delay): the daemon stops at once."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from interop.daemons import start_virtrio


def test_sigterm_during_a_delayed_call_stops_the_daemon_promptly(tmp_path: Path) -> None:
    daemon = start_virtrio(tmp_path / "run", 'fault_rules = ["DOMAIN_GET_INFO delay=60"]\n')
    uri = daemon.uri()
    caller = subprocess.Popen(["virsh", "-c", uri, "dominfo", "test"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(1.5)  # the call is in the daemon, waiting out its delay
        assert caller.poll() is None
        started = time.monotonic()
        daemon.process.send_signal(signal.SIGTERM)
        daemon.process.wait(timeout=10)
        assert time.monotonic() - started < 5
        assert daemon.process.returncode == 0, daemon.log()[-2000:]
        caller.wait(timeout=10)
        assert caller.returncode != 0  # its connection ended without an answer
    finally:
        caller.kill()
        daemon.stop()
    assert "Traceback" not in daemon.log(), daemon.log()[-2000:]
