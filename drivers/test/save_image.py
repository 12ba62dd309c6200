"""Save images of the test driver, in the layout libvirt's test driver writes and reads.

An image is "TestGuestMagic" with its terminating NUL, the length of the domain XML as a
native int, then the XML. Errors are libvirt's, including its "Success" when a read falls
short without the system reporting anything.
"""

from __future__ import annotations

import contextlib
import os
import struct

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report

FROM_TEST = api.VIR_FROM_TEST
MAGIC = b"TestGuestMagic\0"
LENGTH = struct.Struct("=i")
MAX_XML = 8192  # libvirt refuses to read images with more XML than this


def system_error(message: str, errno: int = 0) -> LibvirtError:
    """virReportSystemError: the message and the system's words for errno."""
    error = report(api.VIR_ERR_SYSTEM_ERROR, FROM_TEST, f"{message}: {os.strerror(errno)}")
    error.int1 = errno  # virReportSystemError keeps errno in int1
    return error


def write_image(path: str, name: str, xml: str) -> None:
    """testDomainSaveImageWrite: a failed write leaves no file behind."""
    where = f"saving domain '{name}' to '{path}'"
    data = xml.encode()
    try:
        fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    except OSError as error:
        raise system_error(f"{where}: open failed", error.errno or 0) from None
    content = memoryview(MAGIC + LENGTH.pack(len(data)) + data)
    try:
        try:
            while content:
                content = content[os.write(fd, content) :]
        finally:
            os.close(fd)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise system_error(f"{where}: write failed", error.errno or 0) from None


def _read(fd: int, size: int) -> tuple[bytes, int]:
    """Up to size bytes, as saferead gives them, and the errno of a failed read (0 when it merely fell short)."""
    data = b""
    try:
        while len(data) < size:
            chunk = os.read(fd, size - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as error:
        return data, error.errno or 0
    return data, 0


def read_image(path: str) -> str:
    """testDomainSaveImageOpen: the domain XML an image holds."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as error:
        raise system_error(f"cannot read domain image '{path}'", error.errno or 0) from None
    try:
        magic, errno = _read(fd, len(MAGIC))
        if len(magic) != len(MAGIC):
            raise system_error(f"incomplete save header in '{path}'", errno)
        if magic != MAGIC:
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_TEST, "mismatched header magic")
        length, errno = _read(fd, LENGTH.size)
        if len(length) != LENGTH.size:
            raise system_error(f"failed to read metadata length in '{path}'", errno)
        (size,) = LENGTH.unpack(length)
        if size < 1 or size > MAX_XML:
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_TEST, "length of metadata out of range")
        data, errno = _read(fd, size)
        if len(data) != size:
            raise system_error(f"incomplete metadata in '{path}'", errno)
    finally:
        os.close(fd)
    return data.split(b"\0", 1)[0].decode(errors="surrogateescape")
