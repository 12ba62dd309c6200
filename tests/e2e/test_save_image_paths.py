"""Save images and core dumps are files the client names: one that blocks (a FIFO no one
writes to or reads from) holds up only the call that names it, as in libvirtd; other clients
are answered meanwhile. And the images still work: save, read back, redefine, restore (stock
libvirt-python)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .daemon_process import python_libvirt, start_daemon

BLOCKED = """
import json, os, sys, threading, time
import libvirt

uri, fifo, call = sys.argv[1:]
libvirt.registerErrorHandler(lambda *a: None, None)
outcome = {}

def blocked():
    conn = libvirt.open(uri)
    try:
        if call == "restore":
            conn.restore(fifo)
        elif call == "save":
            conn.lookupByName("test").save(fifo)
            outcome["blocked call"] = "saved"
        elif call == "dump":
            conn.lookupByName("test").coreDump(fifo, 0)
            outcome["blocked call"] = "dumped"
        elif call == "get":
            conn.saveImageGetXMLDesc(fifo, 0)
        else:
            conn.saveImageDefineXML(fifo, "<domain/>", 0)
    except libvirt.libvirtError as error:
        outcome["blocked call"] = error.get_error_message()

caller = threading.Thread(target=blocked, daemon=True)
caller.start()
time.sleep(0.5)
answered = {}

def ask() -> None:
    answered["name"] = libvirt.open(uri).lookupByName("test").name()

other = threading.Thread(target=ask, daemon=True)
other.start()
other.join(10)
outcome["other client"] = answered.get("name", "no answer")
if call in ("save", "dump"):  # a reader at last: the daemon's write ends
    reader = os.open(fifo, os.O_RDONLY)
    outcome["bytes written"] = len(os.read(reader, 1 << 20))
    os.close(reader)
else:  # a writer at last: the open ends, the header is missing
    os.close(os.open(fifo, os.O_WRONLY))
caller.join(10)
print(json.dumps(outcome))
"""

ROUND_TRIP = """
import sys
import libvirt

uri, image = sys.argv[1:]
conn = libvirt.open(uri)
domain = conn.lookupByName("test")
domain.save(image)
print(conn.lookupByName("test").isActive())
xml = conn.saveImageGetXMLDesc(image, 0)
smaller = xml.replace("<memory unit='KiB'>8388608</memory>", "<memory unit='KiB'>4194304</memory>")
conn.saveImageDefineXML(image, smaller, 0)
print("4194304" in conn.saveImageGetXMLDesc(image, 0))
conn.restore(image)
print(conn.lookupByName("test").isActive(), conn.lookupByName("test").maxMemory())
"""


START_TEST = """
import sys
import libvirt

libvirt.open(sys.argv[1]).lookupByName("test").create()
"""


def test_a_blocking_image_path_holds_up_only_its_own_call(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "sock")
    try:
        for call in ("restore", "get", "define"):
            fifo = tmp_path / f"image-{call}"
            os.mkfifo(fifo)
            result = python_libvirt(BLOCKED, daemon.uri(), str(fifo), call, timeout=60)
            assert result.returncode == 0, result.stderr
            outcome = json.loads(result.stdout)
            assert outcome["other client"] == "test", call
            assert outcome["blocked call"] == f"incomplete save header in '{fifo}': Success", call
        # writes too: saving and dumping to a FIFO no one reads
        for call, written in (("save", "saved"), ("dump", "dumped")):
            fifo = tmp_path / f"image-{call}"
            os.mkfifo(fifo)
            result = python_libvirt(BLOCKED, daemon.uri(), str(fifo), call, timeout=60)
            assert result.returncode == 0, result.stderr
            outcome = json.loads(result.stdout)
            assert outcome["other client"] == "test", call
            assert outcome["blocked call"] == written and outcome["bytes written"] > 0, (call, outcome)
            if call == "save":
                python_libvirt(START_TEST, daemon.uri())
    finally:
        daemon.stop()


def test_save_images_are_written_read_redefined_and_restored(tmp_path: Path) -> None:
    daemon = start_daemon(tmp_path / "sock")
    try:
        result = python_libvirt(ROUND_TRIP, daemon.uri(), str(tmp_path / "test.img"))
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["0", "True", "1", "4194304"]
    finally:
        daemon.stop()
