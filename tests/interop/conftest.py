"""Fixtures of the interop tests."""

from __future__ import annotations

from .side_by_side import both

__all__ = ["both"]
