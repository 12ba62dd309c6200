"""What a PCI node device's XML needs from sysfs beyond udev's attributes, read by libvirt's rules.

Two kinds, as libvirt's udev driver has them:

* read once, when the device is enumerated (the helper's records): the header type, whether
  the device is PCI Express and its link's capability and status registers. libvirt reads
  these from configuration space only when the daemon is privileged (a user may read only
  the first 64 bytes of it).
* re-read on every dumpxml, since they change with no event from udev: SR-IOV functions,
  the IOMMU group, mediated device types (``dynamic_caps``). The driver runs that in a worker
  thread: sysfs reads are system calls, and configuration space reads are device accesses.

Every path starts from a sysfs root (``/sys`` unless given) so tests can build fake trees.
"""

from __future__ import annotations

import os
import re

from ..xml_text import escape_text

# Configuration space offsets and fields (PCI Local Bus and PCI Express specifications).
STATUS = 0x06
STATUS_CAPABILITY_LIST = 0x10
HEADER_TYPE = 0x0E
HEADER_TYPE_MASK = 0x7F
CAPABILITY_LIST = 0x34
HEADER_LENGTH = 0x40
CAPABILITY_EXPRESS = 0x10
EXPRESS_FLAGS = 0x02
EXPRESS_TYPE_ROOT_INTEGRATED_ENDPOINT = 0x9
EXPRESS_TYPE_ROOT_EVENT_COLLECTOR = 0xA
LINK_CAPABILITIES = 0x0C
LINK_STATUS = 0x12
STANDARD_CONFIG_LENGTH = 256

# libvirt's names of header types 0, 1 and 2; any other makes it drop the device.
HEADER_TYPES = ("endpoint", "pci-bridge", "cardbus-bridge")
# libvirt's names of link speeds 1..6 (0: not written). libvirt formats any other value with a
# NULL string, which glibc's printf writes as "(null)".
LINK_SPEEDS = ("", "2.5", "5", "8", "16", "32", "64")
UNKNOWN_SPEED = "(null)"

# libvirt follows the capability list without a step limit (a looping list hangs it). Pointers
# are not masked, so a list may visit each of the 191 offsets 0x40..0xfe once; a longer walk
# repeats one, a loop, and the device is treated as if the walk had found nothing.
MAX_CAPABILITY_STEPS = 0xFF - HEADER_LENGTH


def is_int(text: str) -> bool:
    """Whether libvirt's virStrToLong_i takes the whole text: blanks, a sign, decimal digits,
    within a C int."""
    number = re.fullmatch(r"\s*([+-]?[0-9]+)", text)
    return number is not None and -(2**31) <= int(number[1]) < 2**31


class InvalidHeaderType(Exception):
    """libvirt reports "Unknown PCI header type" and keeps no node device for it."""


def _read(fd: int, offset: int, length: int) -> int:
    """A little-endian value; bytes past the end read as zero, as libvirt's reads leave them."""
    data = os.pread(fd, length, offset)
    return int.from_bytes(data.ljust(length, b"\0"), "little")


class ExpressInfo:
    """PCI Express facts of one device: no link (``link`` None), or the link's registers."""

    __slots__ = ("link",)

    def __init__(self, link: tuple[int, int, int, int, int] | None) -> None:
        # (capability port, capability speed, capability width, status speed, status width)
        self.link = link

    def encode(self) -> str:
        """As a record attribute (records carry only strings)."""
        return "yes" if self.link is None else " ".join(str(value) for value in self.link)


def decode_express(text: str) -> ExpressInfo:
    if text == "yes":
        return ExpressInfo(None)
    values = tuple(int(value) for value in text.split())
    return ExpressInfo((values[0], values[1], values[2], values[3], values[4]))


def _express_offset(fd: int) -> int | None:
    """The offset of the express capability, or None where libvirt's walk fails: no
    capability list, or the list ends without it. The walk is libvirt's: pointers are used
    as read (not masked), and it stops at one below the header's end or at 0xff."""
    if not _read(fd, STATUS, 1) & STATUS_CAPABILITY_LIST:
        return None
    position = _read(fd, CAPABILITY_LIST, 1)
    steps = 0
    while position >= HEADER_LENGTH and position != 0xFF and steps <= MAX_CAPABILITY_STEPS:
        header = _read(fd, position, 2)  # the capability's id, then the next one's offset
        if header & 0xFF == CAPABILITY_EXPRESS:
            return position
        position = header >> 8
        steps += 1
    return None


def config_facts(sys_path: str) -> tuple[int, ExpressInfo | None]:
    """The header type and PCI Express facts libvirt reads from a privileged daemon.

    Raises InvalidHeaderType for a header type libvirt does not know, OSError when the
    configuration space cannot be opened (libvirt drops such a device too)."""
    path = os.path.join(sys_path, "config")
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        header_type = _read(fd, HEADER_TYPE, 1) & HEADER_TYPE_MASK
        if header_type >= len(HEADER_TYPES):
            raise InvalidHeaderType(header_type)
        offset = _express_offset(fd)
        if offset is None:
            # libvirt's guess when the walk fails: a space of other than 256 bytes is
            # PCI Express (the extended space is 4096); one that cannot be measured too
            try:
                express = os.fstat(fd).st_size != STANDARD_CONFIG_LENGTH
            except OSError:
                express = True
            return header_type, ExpressInfo(None) if express else None
        kind = (_read(fd, offset + EXPRESS_FLAGS, 2) & 0x00F0) >> 4
        if kind in (EXPRESS_TYPE_ROOT_INTEGRATED_ENDPOINT, EXPRESS_TYPE_ROOT_EVENT_COLLECTOR):
            return header_type, ExpressInfo(None)  # integrated in the root complex: no link
        capabilities = _read(fd, offset + LINK_CAPABILITIES, 4)
        status = _read(fd, offset + LINK_STATUS, 2)
        link = (
            capabilities >> 24,
            capabilities & 0xF,
            (capabilities & 0x3F0) >> 4,
            status & 0xF,
            (status & 0x3F0) >> 4,
        )
        return header_type, ExpressInfo(link)
    finally:
        os.close(fd)


def speed_name(speed: int) -> str:
    return LINK_SPEEDS[speed] if 0 <= speed < len(LINK_SPEEDS) else UNKNOWN_SPEED


def express_lines(info: ExpressInfo, indent: str = "    ") -> list[str]:
    """libvirt's <pci-express> element: the capability link (with its port), then the status
    link (whose port libvirt never knows); a speed of 0 is left out, the width never."""
    if info.link is None:
        return [f"{indent}<pci-express/>"]
    port, speed, width, status_speed, status_width = info.link
    cap_speed = f" speed='{speed_name(speed)}'" if speed else ""
    sta_speed = f" speed='{speed_name(status_speed)}'" if status_speed else ""
    return [
        f"{indent}<pci-express>",
        f"{indent}  <link validity='cap' port='{port}'{cap_speed} width='{width}'/>",
        f"{indent}  <link validity='sta'{sta_speed} width='{status_width}'/>",
        f"{indent}</pci-express>",
    ]


# --- re-read on every dumpxml ------------------------------------------------------------


class SysfsError(Exception):
    """A dynamic read failed where libvirt reports an internal error; the text is libvirt's."""


Address = tuple[int, int, int, int]  # domain, bus, slot, function


def parse_address(text: str) -> Address | None:
    """dddd:bb:ss.f read as libvirt does: four hexadecimal numbers, each after one separator."""
    parts: list[int] = []
    rest = text
    for index in range(4):
        if index:
            if not rest:
                return None
            rest = rest[1:]
        digits = 0
        while digits < len(rest) and rest[digits] in "0123456789abcdefABCDEF":
            digits += 1
        if digits == 0 or int(rest[:digits], 16) > 0xFFFFFFFF:
            return None
        parts.append(int(rest[:digits], 16))
        rest = rest[digits:]
    return parts[0], parts[1], parts[2], parts[3]


def address_line(address: Address, indent: str) -> str:
    # libvirt writes the function as decimal digits after "0x"
    domain, bus, slot, function = address
    return f"{indent}<address domain='0x{domain:04x}' bus='0x{bus:02x}' slot='0x{slot:02x}' function='0x{function}'/>"


def _linked_address(link: str) -> Address | None:
    """The PCI address a sysfs link leads to (the last part of its resolved path)."""
    if not os.path.exists(link):
        return None
    return parse_address(os.path.basename(os.path.realpath(link)))


class DynamicCaps:
    __slots__ = (
        "iommu_group",
        "iommu_members",
        "max_virtual_functions",
        "mdev_types",
        "physical_function",
        "virtual_functions",
    )

    def __init__(self) -> None:
        self.physical_function: Address | None = None
        self.virtual_functions: list[Address] = []
        self.max_virtual_functions = 0
        self.iommu_group = 0
        self.iommu_members: list[Address] = []
        # (id, name or None, device API, available instances)
        self.mdev_types: list[tuple[str, str | None, str, int]] = []


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as file:
        text = file.read()
    return text[:-1] if text.endswith("\n") else text


def _sriov(sys_path: str, caps: DynamicCaps) -> None:
    caps.physical_function = _linked_address(os.path.join(sys_path, "physfn"))
    total = os.path.join(sys_path, "sriov_totalvfs")
    if os.path.exists(total):
        with open(total, encoding="utf-8", errors="replace") as file:
            text = file.read(64)
        # strtoull with an end pointer: leading blanks and a sign taken, anything after the
        # digits (the newline) ignored; libvirt keeps the low 32 bits
        number = re.match(r"\s*([+-]?)([0-9]+)", text)
        if number is None or int(number[2]) > 0xFFFFFFFFFFFFFFFF:
            raise SysfsError(f"Unrecognized value in {total}: {text}")
        value = int(number[2]) if number[1] != "-" else (-int(number[2])) % (1 << 64)
        caps.max_virtual_functions = value & 0xFFFFFFFF
    while True:  # virtfn0, virtfn1, ... until one is missing
        link = os.path.join(sys_path, f"virtfn{len(caps.virtual_functions)}")
        if not os.path.exists(link):
            break
        address = _linked_address(link)
        if address is None:
            raise SysfsError(f"Failed to get SRIOV function from device link '{link}'")
        caps.virtual_functions.append(address)


def _iommu(address_text: str, sysfs_root: str, caps: DynamicCaps) -> None:
    """The group of /sys/bus/pci/devices/ADDRESS/iommu_group, then the addresses of the
    group's devices folder in directory order (libvirt's readdir order)."""
    link = os.path.join(sysfs_root, "bus/pci/devices", address_text, "iommu_group")
    if not os.path.islink(link):
        return
    target = os.path.realpath(link)
    number = os.path.basename(target)
    if not (number.isascii() and number.isdigit()) or int(number) > 0xFFFFFFFF:
        raise SysfsError(f"device {address_text} iommu_group symlink {target} has invalid group number {number}")
    members_path = os.path.join(link, "devices")
    try:
        names = os.listdir(members_path)
    except OSError:
        names = None
    members: list[Address] = []
    if names is None:  # no folder to list: the device alone
        parsed = parse_address(address_text)
        if parsed is not None:
            members.append(parsed)
    for name in names or ():
        parsed = parse_address(name)
        if parsed is None:
            raise SysfsError(f"Found invalid device link '{name}' in '{members_path}'")
        members.append(parsed)
    caps.iommu_group, caps.iommu_members = int(number), members


def _mdev_types(sys_path: str, caps: DynamicCaps) -> None:
    folder = os.path.join(sys_path, "mdev_supported_types")
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            title: str | None = _read_text(os.path.join(path, "name"))
        except FileNotFoundError:
            title = None  # optional
        try:
            api = _read_text(os.path.join(path, "device_api"))
            available = _read_text(os.path.join(path, "available_instances"))
        except OSError as error:
            raise SysfsError(f"{error.strerror}: {error.filename}") from error
        if not (available.isascii() and available.strip().isdigit()):
            raise SysfsError(f"Invalid unsigned integer value '{available}' in file '{path}/available_instances'")
        caps.mdev_types.append((name, title, api, int(available)))


def has_mdev_types(sys_path: str) -> bool:
    """Whether the device offers mediated device types (what a listing by capability uses)."""
    try:
        with os.scandir(os.path.join(sys_path, "mdev_supported_types")) as entries:
            return any(True for _ in entries)
    except OSError:
        return False


def dynamic_caps(sys_path: str, address_text: str, sysfs_root: str = "/sys") -> DynamicCaps:
    """SR-IOV, IOMMU group and mediated device types, in libvirt's order of reading."""
    caps = DynamicCaps()
    _sriov(sys_path, caps)
    _iommu(address_text, sysfs_root, caps)
    _mdev_types(sys_path, caps)
    return caps


def dynamic_lines(caps: DynamicCaps, indent: str = "    ") -> tuple[list[str], list[str]]:
    """The dynamic elements in libvirt's order, split where the header type's capability goes
    between them: (SR-IOV, then mdev types and the IOMMU group)."""
    inner = indent + "  "
    first: list[str] = []
    if caps.physical_function is not None:
        first += [
            f"{indent}<capability type='phys_function'>",
            address_line(caps.physical_function, inner),
            f"{indent}</capability>",
        ]
    if caps.virtual_functions or caps.max_virtual_functions:
        count = f" maxCount='{caps.max_virtual_functions}'" if caps.max_virtual_functions else ""
        if caps.virtual_functions:
            first.append(f"{indent}<capability type='virt_functions'{count}>")
            first += [address_line(address, inner) for address in caps.virtual_functions]
            first.append(f"{indent}</capability>")
        else:
            first.append(f"{indent}<capability type='virt_functions'{count}/>")
    second: list[str] = []
    if caps.mdev_types:
        second.append(f"{indent}<capability type='mdev_types'>")
        for type_id, title, api, available in caps.mdev_types:
            second.append(f"{inner}<type id='{escape_text(type_id)}'>")
            if title is not None:
                second.append(f"{inner}  <name>{escape_text(title)}</name>")
            second.append(f"{inner}  <deviceAPI>{escape_text(api)}</deviceAPI>")
            second.append(f"{inner}  <availableInstances>{available}</availableInstances>")
            second.append(f"{inner}</type>")
        second.append(f"{indent}</capability>")
    if caps.iommu_members:
        second.append(f"{indent}<iommuGroup number='{caps.iommu_group}'>")
        second += [address_line(address, inner) for address in caps.iommu_members]
        second.append(f"{indent}</iommuGroup>")
    return first, second
