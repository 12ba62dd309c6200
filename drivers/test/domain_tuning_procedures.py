"""Test driver: iothreads, pinning, tuning parameters, perf events, lifecycle actions."""

from __future__ import annotations

from .common import TestProcedures


class DomainTuningProcedures(TestProcedures):
    pass
