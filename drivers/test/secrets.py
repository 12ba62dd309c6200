"""Secrets on a test:/// connection: beyond libvirt's test driver, which has none."""

from __future__ import annotations

from .common import TestProcedures


class SecretProcedures(TestProcedures):
    pass
