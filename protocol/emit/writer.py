"""Shared state of one generated module: its lines, struct formats, imports and names."""

from __future__ import annotations

import keyword
import re

from ..sources import ProtocolSources


def attribute_name(xdr_name: str) -> str:
    """The Python attribute for an XDR field; keywords get a trailing underscore."""
    return xdr_name + "_" if keyword.iskeyword(xdr_name) else xdr_name


class ModuleWriter:
    def __init__(
        self, module: str, sources: ProtocolSources, parts: dict[str, str] | None = None, part: str | None = None
    ) -> None:
        self.module = module
        self.sources = sources
        self.sections: list[list[str]] = []
        self.formats: dict[str, str] = {}  # struct format -> module-level name
        self.imported_modules: set[str] = set()
        # A program split into parts: each of its types' part, the part being written, and
        # the names this part takes from the others (part -> names), imported by name so
        # the code reads them as fast globals, as in an unsplit module.
        self.parts = parts
        self.part = part
        self.part_imports: dict[str, set[str]] = {}

    def _local(self, name: str, type_name: str) -> str:
        """name, a function or class of this module's type_name, imported if in another part."""
        if self.parts is not None:
            home = self.parts[type_name]
            if home != self.part:
                self.part_imports.setdefault(home, set()).add(name)
        return name

    def section(self, lines: list[str]) -> None:
        self.sections.append(lines)

    def struct_format(self, fmt: str) -> str:
        """The module-level name of a precompiled big-endian struct.Struct for fmt."""
        if fmt not in self.formats:
            self.formats[fmt] = "_S_" + re.sub(r"[^0-9A-Za-z]", "_", fmt)
        return self.formats[fmt]

    def function(self, kind: str, type_name: str) -> str:
        """The name of the encode or decode function of a type, qualified if imported."""
        home = self.sources.type_home[type_name]
        if home == self.module:
            return self._local(f"{kind}_{type_name}", type_name)
        self.imported_modules.add(home)
        return f"_{home}.{kind}_{type_name}"

    def class_name(self, type_name: str) -> str:
        home = self.sources.type_home[type_name]
        if home == self.module:
            return self._local(type_name, type_name)
        self.imported_modules.add(home)
        return f"_{home}.{type_name}"

    def class_attributes(self, type_name: str) -> list[str]:
        """The attributes of a struct's or union's generated class, in wire order."""
        definition = self.sources.definition(type_name)
        if hasattr(definition, "fields"):
            return [attribute_name(f.name) for f in definition.fields]
        return [attribute_name(definition.discriminant.name), "value"]

    def struct_definitions(self) -> list[str]:
        return [f"{name} = _struct.Struct('>{fmt}')" for fmt, name in sorted(self.formats.items())]
