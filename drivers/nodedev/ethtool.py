"""The offload features of a network interface, read as libvirt reads them (SIOCETHTOOL).

Order and names are libvirt's: rx, tx, sg, tso, gso, gro, then from the interface flags
lro, rxvlan, txvlan, ntuple, rxhash, then txudptnl from the generic feature strings.
"""

from __future__ import annotations

import ctypes
import fcntl
import socket
import struct

SIOCETHTOOL = 0x8946
LEGACY = [("rx", 0x14), ("tx", 0x16), ("sg", 0x18), ("tso", 0x1E), ("gso", 0x23), ("gro", 0x2B)]
GFLAGS = 0x25
FLAG_FEATURES = [("lro", 1 << 15), ("rxvlan", 1 << 8), ("txvlan", 1 << 7), ("ntuple", 1 << 27), ("rxhash", 1 << 28)]
GSSET_INFO, GSTRINGS, GFEATURES = 0x37, 0x1B, 0x3A
ETH_SS_FEATURES = 4
STRING_LENGTH = 32
UDP_TUNNEL_SEGMENTATION = "tx-udp_tnl-segmentation"


def _ioctl(sock: socket.socket, interface: str, data: bytearray) -> bytearray:
    buffer = bytearray(data)
    holder = (ctypes.c_char * len(buffer)).from_buffer(buffer)
    request = struct.pack("16sP", interface.encode()[:15], ctypes.addressof(holder))
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, request)
    return buffer


def _value(sock: socket.socket, interface: str, command: int) -> int | None:
    try:
        return struct.unpack("II", _ioctl(sock, interface, bytearray(struct.pack("II", command, 0))))[1]
    except OSError:
        return None


def _udp_tunnel_segmentation(sock: socket.socket, interface: str) -> bool:
    try:
        info = _ioctl(sock, interface, bytearray(struct.pack("IIQI", GSSET_INFO, 0, 1 << ETH_SS_FEATURES, 0)))
        count = struct.unpack_from("I", info, 16)[0]
        strings = _ioctl(
            sock,
            interface,
            bytearray(struct.pack("III", GSTRINGS, ETH_SS_FEATURES, count) + bytes(count * STRING_LENGTH)),
        )
        names = [
            strings[12 + i * STRING_LENGTH : 12 + (i + 1) * STRING_LENGTH].split(b"\0")[0].decode()
            for i in range(count)
        ]
        if UDP_TUNNEL_SEGMENTATION not in names:
            return False
        blocks = (count + 31) // 32
        features = _ioctl(sock, interface, bytearray(struct.pack("II", GFEATURES, blocks) + bytes(16 * blocks)))
        index = names.index(UDP_TUNNEL_SEGMENTATION)
        active = struct.unpack_from("I", features, 8 + 16 * (index // 32) + 8)[0]
        return bool(active & (1 << (index % 32)))
    except (OSError, struct.error, UnicodeDecodeError):
        return False


def features(interface: str) -> list[str]:
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name, command in LEGACY:
            if _value(sock, interface, command):
                found.append(name)
        flags = _value(sock, interface, GFLAGS)
        if flags:
            found += [name for name, bit in FLAG_FEATURES if flags & bit]
        if _udp_tunnel_segmentation(sock, interface):
            found.append("txudptnl")
    return found
