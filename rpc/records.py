"""Small record classes without @dataclass (a leaf of the sans-io core: the server, the drivers and
rpc itself use them): equality, hash and repr from a field list.

Making a dataclass costs 0.3-0.8 ms (it writes and compiles its methods), and the daemon's
start made a dozen. A subclass lists its fields in ``_fields`` and writes its own
``__init__`` (a frozen one sets its fields with ``object.__setattr__``).
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    """Compares equal to a record of the same class with equal fields; mutable records are
    not hashable, as a dataclass with eq and without frozen."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({values})"


class FrozenRecord(Record):
    """A record whose fields cannot change once made (as a frozen dataclass's); hashable."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]  # Record's is None: mutable
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # copy, deepcopy and pickle make a new one through __init__ (setting fields would raise);
        # every subclass's __init__ takes its fields in _fields' order.
        return (type(self), self._values())
