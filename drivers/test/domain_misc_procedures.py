"""Test driver: the remaining domain and host calls: dumps, keys, signals, guest filesystems, time, save images."""

from __future__ import annotations

from .common import TestProcedures


class DomainMiscProcedures(TestProcedures):
    pass
