"""The orders libvirt's domain formatter writes elements in, that the definition's
parser and the procedures changing a definition both keep (a leaf: it imports nothing of
the driver)."""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# Top-level elements in the order virDomainDefFormat writes them.
TOP_LEVEL_ORDER = _words("""name uuid genid title description metadata maxMemory memory currentMemory blkiotune
memtune memoryBacking vcpu vcpus iothreads iothreadids defaultiothread cputune numatune resource sysinfo bootloader
bootloader_args os idmap features cpu clock on_poweroff on_reboot on_crash on_lockfailure pm perf devices
seclabel keywrap launchSecurity""")
TOP_LEVEL_RANK = {tag: position for position, tag in enumerate(TOP_LEVEL_ORDER)}

# What every device ends with (virDomainDeviceInfoFormat).
DEVICE_INFO_TAIL = ["boot", "alias", "master", "rom", "acpi", "address"]

CHILD_ORDER = {
    "disk": _words("""driver auth source backingStore backenddomain geometry blockio mirror target iotune readonly
shareable transient serial wwn vendor product encryption""")
    + DEVICE_INFO_TAIL,
    "interface": _words("""mac source vlan virtualport bandwidth port ip route script downscript backenddomain target
guest model driver backend filterref tune teaming link mtu coalesce""")
    + DEVICE_INFO_TAIL,
    "blkiotune": ["weight", "device"],
    "device": _words("path weight read_iops_sec write_iops_sec read_bytes_sec write_bytes_sec"),
    "memtune": _words("hard_limit soft_limit min_guarantee swap_hard_limit"),
    "controller": ["model", "driver", "target", *DEVICE_INFO_TAIL],
    "memballoon": ["stats", *DEVICE_INFO_TAIL, "driver"],  # virDomainMemballoonDefFormat
}
