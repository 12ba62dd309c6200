"""Emitter for const definitions."""

from __future__ import annotations

from ..model import Const
from ..sources import ProtocolSources


def emit_const(const: Const, sources: ProtocolSources) -> list[str]:
    return [f"{const.name} = {sources.resolve(const.value)}"]
