"""Emitter for the public constants of libvirt's API XML files."""

from __future__ import annotations

from ..sources import ApiFile


def emit_api(api_files: list[ApiFile]) -> list[str]:
    lines: list[str] = []
    enum_types: dict[str, dict[str, int]] = {}
    seen: set[str] = set()
    for api in api_files:
        lines.append(f"# {api.name}: enums")
        for enum in sorted(api.enums, key=lambda e: (e.type, e.value, e.name)):
            if enum.name in seen:
                continue
            seen.add(enum.name)
            lines.append(f"{enum.name} = {enum.value}")
            enum_types.setdefault(enum.type, {})[enum.name] = enum.value
        lines.append(f"# {api.name}: macros")
        for macro in sorted(api.macros, key=lambda m: m.name):
            if macro.name in seen:
                continue
            seen.add(macro.name)
            lines.append(f"{macro.name} = {macro.value!r}")
        lines.append("")
    lines.append("# Every public enum type with its members, e.g. ENUM_TYPES['virErrorNumber'].")
    lines.append("ENUM_TYPES: dict[str, dict[str, int]] = {")
    for type_name in sorted(enum_types):
        members = enum_types[type_name]
        lines.append(f"    {type_name!r}: {{")
        lines += [f"        {n!r}: {v}," for n, v in sorted(members.items(), key=lambda kv: (kv[1], kv[0]))]
        lines.append("    },")
    lines.append("}")
    return lines
