"""<blkiotune> and <resource> as libvirt reads and writes them: numbers that must parse, a
device's path required and not given twice, only what is not 0 written (a device only with a
number that is not); one <resource>, with a partition or a Fibre Channel application id,
refused without either as libvirtd refuses it (a failure without an error: "the cause is
unknown"). libvirt-python defines each on virtrio and on libvirtd side by side."""

from __future__ import annotations

from pathlib import Path

from .side_by_side import assert_answered_alike, script_answers
from .test_missing_parts import SCRIPT, document


def device(*parts: str) -> str:
    return "<blkiotune><device>" + "".join(parts) + "</device></blkiotune>"


BODIES = {
    "empty blkiotune": "<blkiotune/>",
    "weight 0": "<blkiotune><weight>0</weight></blkiotune>",
    "weight -5": "<blkiotune><weight>-5</weight></blkiotune>",
    "weight with spaces": "<blkiotune><weight> 300</weight></blkiotune>",
    "device without numbers": device("<path>/dev/sda</path>"),
    "device weight 0": device("<path>/dev/sda</path>", "<weight>0</weight>"),
    "device weight -1": device("<path>/dev/sda</path>", "<weight>-1</weight>"),
    "device weight x": device("<path>/dev/sda</path>", "<weight>x</weight>"),
    "device without path": device("<weight>5</weight>"),
    "device read bytes 1.5": device("<path>/dev/sda</path>", "<read_bytes_sec>1.5</read_bytes_sec>"),
    "device write iops over 32 bits": device("<path>/dev/sda</path>", "<write_iops_sec>4294967296</write_iops_sec>"),
    "device numbers out of order": "<blkiotune><device><write_bytes_sec>4</write_bytes_sec>"
    "<read_bytes_sec>3</read_bytes_sec><write_iops_sec>2</write_iops_sec><read_iops_sec>1</read_iops_sec>"
    "<path>/dev/sdb</path></device><weight>300</weight></blkiotune>",
    "device path twice": "<blkiotune><device><path>/dev/sda</path><weight>1</weight></device>"
    "<device><path>/dev/sda</path></device></blkiotune>",
    "empty resource": "<resource/>",
    "empty partition": "<resource><partition/></resource>",
    "two resources": "<resource><partition>/a</partition></resource><resource><partition>/b</partition></resource>",
    "application id alone": "<resource><fibrechannel appid='abc'/></resource>",
    "application id before the partition": "<resource><fibrechannel appid='abc'/><partition>/machine</partition>"
    "<other/></resource>",
    "application id not printable": "<resource><fibrechannel appid='a&#9;b'/></resource>",
    "application id too long": f"<resource><fibrechannel appid='{'x' * 129}'/></resource>",
}


def test_blkiotune_and_resource_are_read_and_written_as_by_libvirtd(tmp_path: Path) -> None:
    texts = {label: document(body, "") for label, body in BODIES.items()}
    answers = script_answers(tmp_path, SCRIPT, texts)
    assert_answered_alike(answers, texts)
