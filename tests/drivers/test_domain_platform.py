"""Unit tests of the domain platform rules (drivers/test/domain_platform.py): firmware and
loader, boot, features, hugepages, NUMA, schedulers, resctrl groups, sysinfo and memtune, each
through the test driver's own reader and writer (parse_domain_xml, domain_xml) on a small
domain. The values are libvirt's (domain_conf.c, numa_conf.c, domain_postparse.c,
domain_validate.c), checked against libvirtd 9.0.0 by `python -m interop xmlcorpus`."""

from __future__ import annotations

import pytest

from virtrio.drivers.test import state
from virtrio.drivers.test.formats import domain_xml
from virtrio.drivers.test.parse import parse_domain_xml
from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError


def domain(
    inner: str,
    devices: str = "",
    os: str = "<type arch='x86_64' machine='pc'>hvm</type>",
    vcpus: int = 2,
    top: str = "",
) -> str:
    return (
        f"<domain type='qemu'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        f"<memory unit='KiB'>219136</memory><vcpu>{vcpus}</vcpu>{top}<os{inner}>{os}</os>"
        f"<devices>{devices}</devices></domain>"
    )


def read(text: str) -> state.Domain:
    return parse_domain_xml(text, state.TestState.__new__(state.TestState))


def written(text: str, live: bool = False) -> str:
    parsed = read(text)
    if live:
        parsed.id = 1
    return domain_xml(parsed, inactive=not live)


def refused(text: str) -> LibvirtError:
    with pytest.raises(LibvirtError) as caught:
        read(text)
    return caught.value


# --- firmware, loader, NVRAM -----------------------------------------------------------


def test_enrolled_keys_imply_secure_boot() -> None:
    os = "<type>hvm</type><firmware><feature enabled='yes' name='enrolled-keys'/></firmware>"
    xml = written(domain(" firmware='efi'", os=os))
    assert (
        "    <firmware>\n      <feature enabled='yes' name='enrolled-keys'/>\n"
        "      <feature enabled='yes' name='secure-boot'/>\n    </firmware>\n"
    ) in xml


def test_enrolled_keys_without_secure_boot_refused() -> None:
    os = (
        "<type>hvm</type><firmware><feature enabled='yes' name='enrolled-keys'/>"
        "<feature enabled='no' name='secure-boot'/></firmware>"
    )
    error = refused(domain(" firmware='efi'", os=os))
    assert (error.code, error.domain) == (api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN)
    assert error.message == (
        "firmware feature 'enrolled-keys' cannot be enabled when firmware feature 'secure-boot' is disabled"
    )


def test_firmware_features_dropped_without_autoselection() -> None:
    os = (
        "<type>hvm</type><loader type='pflash'>/c.fd</loader>"
        "<firmware><feature enabled='no' name='enrolled-keys'/></firmware>"
    )
    assert "<firmware>" not in written(domain("", os=os))


AUTO = "{} cannot be specified when firmware autoselection is enabled"


@pytest.mark.parametrize(
    ("attributes", "os", "message"),
    [
        (" firmware='efi'", "<loader secure='no'/>", AUTO.format("loader attribute 'secure'")),
        (" firmware='efi'", "<loader>/c.fd</loader>", AUTO.format("loader attribute 'type'")),
        (" firmware='bios'", "<nvram>/v.fd</nvram>", "firmware type 'bios' does not support nvram"),
        (" firmware='bios'", "<loader stateless='no'/>", "Only EFI firmware permits NVRAM"),
        ("", "<loader readonly='yes' type='pflash'/>", "no loader path specified and firmware auto selection disabled"),
        ("", "<loader stateless='no'>/b.bin</loader>", "Only pflash loader type permits NVRAM"),
        (
            "",
            "<loader type='pflash' stateless='yes'>/c.fd</loader><nvram>/v.fd</nvram>",
            "NVRAM is not permitted when loader is stateless",
        ),
        (
            "",
            "<loader type='pflash' stateless='yes'>/c.fd</loader><nvram template='/t.fd'/>",
            "NVRAM template is not permitted when loader is stateless",
        ),
    ],
)
def test_loader_checks(attributes: str, os: str, message: str) -> None:
    error = refused(domain(attributes, os="<type>hvm</type>" + os))
    assert (error.code, error.domain, error.message) == (api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN, message)


# --- boot ------------------------------------------------------------------------------


def test_boot_menu_timeout_only_when_enabled() -> None:
    assert "<bootmenu enable='no'/>" in written(domain("", os="<type>hvm</type><bootmenu enable='no' timeout='3000'/>"))
    assert "<bootmenu enable='yes' timeout='30'/>" in written(
        domain("", os="<type>hvm</type><bootmenu enable='yes' timeout='030'/>")
    )
    error = refused(domain("", os="<type>hvm</type><bootmenu enable='yes' timeout='65536'/>"))
    assert (error.code, error.message) == (
        api.VIR_ERR_CONFIG_UNSUPPORTED,
        "unsupported configuration: invalid value for boot menu timeout, must be in range [0,65535]",
    )


DISK = "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>{}</disk>"


def test_loadparm_upper_cased_and_checked() -> None:
    assert "<boot order='1' loadparm='SYSTEM1'/>" in written(
        domain("", devices=DISK.format("<boot order='1' loadparm='system1'/>"))
    )
    error = refused(domain("", devices=DISK.format("<boot order='1' loadparm='loadparm1'/>")))
    assert (error.code, error.message) == (
        api.VIR_ERR_INTERNAL_ERROR,
        "internal error: loadparm value 'LOADPARM1' must be between 1 and 8 characters",
    )
    error = refused(domain("", devices=DISK.format("<boot order='1' loadparm='sys1?'/>")))
    assert "invalid loadparm value 'SYS1?'" in (error.message or "")


def test_device_boot_with_os_boot_refused() -> None:
    error = refused(domain("", os="<type>hvm</type><boot dev='hd'/>", devices=DISK.format("<boot order='1'/>")))
    assert error.message == (
        "unsupported configuration: per-device boot elements cannot be used together with os/boot elements"
    )


# --- features --------------------------------------------------------------------------


def test_state_features_and_sizes() -> None:
    top = "<features><pmu/><vmcoreinfo/><smm><tseg unit='KiB'>1024</tseg></smm></features>"
    xml = written(domain("", top=top))
    assert "<pmu state='on'/>" in xml and "<vmcoreinfo state='on'/>" in xml
    assert "<smm state='on'>\n      <tseg unit='MiB'>1</tseg>\n    </smm>" in xml
    error = refused(domain("", top="<features><gic version='none'/></features>"))
    assert (error.code, error.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_XML)
    assert error.message == "XML error: Invalid value for attribute 'version' in element 'gic': 'none'."


# --- hugepages and NUMA ----------------------------------------------------------------

NUMA = (
    "<cpu><numa><cell id='1' cpus='1' memory='1' unit='MiB'><distances><sibling id='0' value='21'/>"
    "</distances></cell><cell id='0' cpus='0' memory='1024'/>"
    "<interconnects><bandwidth initiator='0' target='0' type='access' value='1' unit='MiB'/></interconnects>"
    "</numa></cpu>"
)


def test_hugepage_sizes_and_nodes() -> None:
    pages = "<memoryBacking><hugepages><page size='5' unit='MiB'/></hugepages></memoryBacking>"
    assert "<page size='5120' unit='KiB'/>" in written(domain("", top=pages))
    two = "<memoryBacking><hugepages><page size='2048'/><page size='1' unit='GiB'/></hugepages></memoryBacking>"
    assert refused(domain("", top=two)).message == "two master hugepages detected: 1048576 and 2048"
    beyond = "<memoryBacking><hugepages><page size='2048' nodeset='1'/></hugepages></memoryBacking>"
    assert refused(domain("", top=beyond)).message == "hugepages: node 1 not found"


def test_numa_cells_distances_and_interconnects() -> None:
    xml = written(domain("", top=NUMA))
    assert (
        "    <numa>\n"
        "      <cell id='0' cpus='0' memory='1024' unit='KiB'>\n"
        "        <distances>\n          <sibling id='0' value='10'/>\n          <sibling id='1' value='21'/>\n"
        "        </distances>\n      </cell>\n"
        "      <cell id='1' cpus='1' memory='1024' unit='KiB'>\n"
        "        <distances>\n          <sibling id='0' value='21'/>\n          <sibling id='1' value='10'/>\n"
        "        </distances>\n      </cell>\n"
        "      <interconnects>\n"
        "        <bandwidth initiator='0' target='0' type='access' value='1024' unit='KiB'/>\n"
        "      </interconnects>\n    </numa>"
    ) in xml
    error = refused(domain("", top="<cpu><numa><cell id='2' cpus='0' memory='1024'/></numa></cpu>"))
    assert (error.code, error.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN)
    assert "Exactly one 'cell' element per guest NUMA cell allowed" in (error.message or "")


def test_memnode_checks() -> None:
    tune = (
        "<numatune><memory mode='restrictive' nodeset='0'/><memnode cellid='0' mode='strict' nodeset='0'/></numatune>"
    )
    message = "'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element"
    assert refused(domain("", top=tune + NUMA)).message == f"XML error: {message}"
    alone = "<numatune><memnode cellid='0' mode='strict' nodeset='0'/></numatune>"
    assert refused(domain("", top=alone)).message == (
        "XML error: Element 'memnode' is invalid without any guest NUMA cells"
    )


# --- cputune ---------------------------------------------------------------------------


def test_schedulers_one_per_thread() -> None:
    tune = (
        "<iothreads>2</iothreads><cputune><vcpusched vcpus='0-1' scheduler='fifo' priority='1'/>"
        "<iothreadsched iothreads='1-2' scheduler='batch'/></cputune>"
    )
    xml = written(domain("", top=tune))
    assert (
        "    <vcpusched vcpus='0' scheduler='fifo' priority='1'/>\n"
        "    <vcpusched vcpus='1' scheduler='fifo' priority='1'/>\n"
        "    <iothreadsched iothreads='1' scheduler='batch'/>\n"
        "    <iothreadsched iothreads='2' scheduler='batch'/>\n"
    ) in xml
    overlap = "<cputune><vcpusched vcpus='0' scheduler='idle'/><vcpusched vcpus='0-1' scheduler='batch'/></cputune>"
    assert refused(domain("", top=overlap)).message == "'vcpusched' attributes 'vcpus' must not overlap"
    missing = "<iothreads>1</iothreads><cputune><iothreadsched iothreads='2' scheduler='batch'/></cputune>"
    assert refused(domain("", top=missing)).message == "unsupported configuration: Cannot find 'iothread' : 2"


def test_resctrl_groups() -> None:
    tune = (
        "<cputune><cachetune vcpus='0-3' id='mine'><cache id='0' level='3' type='both' size='3072' unit='KiB'/>"
        "</cachetune><cachetune vcpus='7'><cache id='0' level='3' type='code' size='1'/></cachetune></cputune>"
    )
    inactive = written(domain("", top=tune))
    assert "<cachetune vcpus='0-1'>\n      <cache id='0' level='3' type='both' size='3' unit='MiB'/>" in inactive
    assert "vcpus='7'" not in inactive  # beyond the vCPU count: no group
    assert "<cachetune vcpus='0-1' id='vcpus_0-1'>" in written(domain("", top=tune), live=True)
    colliding = (
        "<cputune><cachetune vcpus='0'><cache id='0' level='3' type='both' size='12'/>"
        "<cache id='0' level='3' type='code' size='6'/></cachetune></cputune>"
    )
    error = refused(domain("", top=colliding))
    assert (error.code, error.domain) == (api.VIR_ERR_XML_ERROR, api.VIR_FROM_RESCTRL)
    assert error.message == "XML error: Colliding cache allocations for cache level '3' id '0', type 'code'"
    overlapping = (
        "<cputune><cachetune vcpus='0-1'><cache id='0' level='3' type='code' size='12'/></cachetune>"
        "<memorytune vcpus='0'><node id='0' bandwidth='50'/></memorytune></cputune>"
    )
    assert refused(domain("", top=overlapping)).message == "XML error: Overlapping vcpus in resctrls"


def test_resctrl_monitors() -> None:
    def tune(*elements: str) -> str:
        return domain("", top="<cputune>" + "".join(elements) + "</cputune>", vcpus=8)

    cache = "<cache id='0' level='3' type='both' size='1'/>"

    def cachetune(*vcpus: str) -> str:
        monitors = "".join(f"<monitor level='3' vcpus='{v}'/>" for v in vcpus)
        return f"<cachetune vcpus='0-3'>{cache}{monitors}</cachetune>"

    group = cachetune("0-1", "0-1")
    assert refused(tune(group)).message == "invalid argument: Identical vcpus found in same type monitors"
    # the same vCPUs in a monitor of the other kind are passed over
    both = (
        f"<cachetune vcpus='0-3'>{cache}<monitor level='3' vcpus='0-1'/></cachetune>"
        "<memorytune vcpus='0-3'><node id='0' bandwidth='50'/><monitor vcpus='0-1'/></memorytune>"
    )
    xml = written(tune(both))
    assert "<monitor level='3' vcpus='0-1'/>" in xml and "<monitor vcpus='0-1'/>" in xml
    # subsets of a group may not share a vCPU; the group's own vCPUs may
    outside = cachetune("0-1", "1-2")
    assert refused(tune(outside)).message == "invalid argument: vcpus overlaps in resctrl groups"
    whole = cachetune("0-1", "0-3")
    assert "<monitor level='3' vcpus='0-3'/>" in written(tune(whole))
    # a group without allocations (the default group) takes no overlap at all
    default = "<cachetune vcpus='0-3'><monitor level='3' vcpus='0-1'/><monitor level='3' vcpus='0-3'/></cachetune>"
    assert refused(tune(default)).message == "invalid argument: vcpus overlaps in resctrl groups"
    conflict = cachetune("4")
    assert refused(tune(conflict)).message == "invalid argument: Monitor vcpus conflicts with allocation"


def test_many_resctrl_groups_and_monitors() -> None:
    # Thousands fit in a document read on the event loop: each group and monitor is checked
    # against the earlier ones through per-vCPU lookups, not by walking them all (was quadratic).
    count = 1500
    listed = ",".join(map(str, range(count)))
    monitors = "".join(f"<monitor vcpus='{vcpu}'/>" for vcpu in range(count))
    text = domain("", top=f"<cputune><memorytune vcpus='{listed}'>{monitors}</memorytune></cputune>", vcpus=count)
    xml = written(text)
    assert xml.count("<monitor vcpus=") == count
    again = text.replace("</memorytune>", f"<monitor vcpus='{count - 1}'/></memorytune>")
    assert refused(again).message == "invalid argument: Identical vcpus found in same type monitors"
    groups = "".join(f"<memorytune vcpus='{vcpu}'><node id='0' bandwidth='10'/></memorytune>" for vcpu in range(count))
    xml = written(domain("", top=f"<cputune>{groups}</cputune>", vcpus=count))
    assert xml.count("<memorytune vcpus=") == count
    overlapping = groups + "<memorytune vcpus='5-6'><node id='0' bandwidth='10'/></memorytune>"
    assert refused(domain("", top=f"<cputune>{overlapping}</cputune>", vcpus=count)).message == (
        "XML error: Overlapping vcpus in resctrls"
    )


# --- sysinfo and memtune ---------------------------------------------------------------


def test_sysinfo_checks_and_order() -> None:
    date = "<sysinfo type='smbios'><bios><entry name='date'>999/999/123</entry></bios></sysinfo>"
    assert refused(domain("", top=date)).message == "Invalid BIOS 'date' format"
    uuid = (
        "<sysinfo type='smbios'><system><entry name='uuid'>a94b4335-6a14-8bc4-d6da-f7ea590b6816</entry>"
        "</system></sysinfo>"
    )
    assert refused(domain("", top=uuid)).message == "UUID mismatch between <uuid> and <sysinfo>"
    both = (
        "<sysinfo type='smbios'><bios><entry name='vendor'>V</entry></bios></sysinfo>"
        "<sysinfo type='fwcfg'><entry name='opt/x'>y</entry></sysinfo>"
    )
    xml = written(domain("", top=both))
    assert xml.index("<sysinfo type='smbios'>") < xml.index("<sysinfo type='fwcfg'>")


def test_unlimited_memtune_not_written() -> None:
    tune = "<memtune><hard_limit unit='KiB'>9007199254740991</hard_limit></memtune>"
    assert "<memtune" not in written(domain("", top=tune))
    tune = "<memtune><soft_limit unit='MiB'>1</soft_limit><min_guarantee>0</min_guarantee></memtune>"
    assert "<memtune>\n    <soft_limit unit='KiB'>1024</soft_limit>\n  </memtune>" in written(domain("", top=tune))


def test_memory_dump_core_kept() -> None:
    text = domain("").replace("<memory unit='KiB'>", "<memory dumpCore='off' unit='KiB'>")
    assert "<memory dumpCore='off' unit='KiB'>219136</memory>" in written(text)
    assert refused(text.replace("'off'", "'maybe'")).message == (
        "XML error: Invalid value for attribute 'dumpCore' in element 'memory': 'maybe'."
    )


def test_bios_and_boot_devices() -> None:
    xml = written(domain("", os="<type>hvm</type><bios rebootTimeout='-1' useserial='yes'/>"))
    assert "<bios useserial='yes' rebootTimeout='-1'/>" in xml
    assert "<bios useserial='no'/>" in written(domain("", os="<type>hvm</type><bios useserial='maybe'/>"))
    error = refused(domain("", os="<type>hvm</type><bios rebootTimeout='70000'/>"))
    assert (error.code, error.message) == (
        api.VIR_ERR_CONFIG_UNSUPPORTED,
        "unsupported configuration: invalid value for rebootTimeout, must be in range [-1,65535]",
    )
    error = refused(domain("", os="<type>hvm</type><boot dev='floppy'/>"))
    assert error.message == "XML error: Invalid value for attribute 'dev' in element 'boot': 'floppy'."
    five = "".join(f"<boot dev='{dev}'/>" for dev in ("fd", "cdrom", "network", "hd", "hd"))
    assert written(domain("", os="<type>hvm</type>" + five)).count("<boot dev=") == 4
