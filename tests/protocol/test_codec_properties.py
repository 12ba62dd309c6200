"""Property tests over every type: the generated codec against the xdrlib3 reference."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtrio.protocol.layout import Layouts, Primitive, StructRef
from virtrio.protocol.model import Struct
from virtrio.protocol.reference_codec import ReferenceCodec
from virtrio.protocol.runtime import XdrError
from virtrio.protocol.sources import PROTOCOL_FILES, load_sources

from ..conftest import REFERENCE
from .xdr_values import strategy, type_shape, violation, zero_value

SOURCES = load_sources(REFERENCE) if (REFERENCE / "protocol").is_dir() else None
LAYOUTS = Layouts(SOURCES) if SOURCES else None
TYPE_NAMES = sorted(SOURCES.type_home) if SOURCES else []
STRATEGIES: dict = {}


def codec_of(name: str):
    module = importlib.import_module(f"virtrio.protocol.generated.{SOURCES.type_home[name]}")
    return module.CODECS[name]


def test_every_type_has_a_codec() -> None:
    assert len(TYPE_NAMES) > 700
    for module in PROTOCOL_FILES:
        generated = importlib.import_module(f"virtrio.protocol.generated.{module}")
        own = {n for n, home in SOURCES.type_home.items() if home == module}
        assert set(generated.CODECS) == own


@pytest.mark.parametrize("name", TYPE_NAMES)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_generated_codec_agrees_with_reference(name: str, data: st.DataObject) -> None:
    value = data.draw(strategy(LAYOUTS, type_shape(LAYOUTS, name), STRATEGIES))
    codec = codec_of(name)
    reference = ReferenceCodec(SOURCES)
    encoded = codec.encode(value)
    assert encoded == reference.encode(name, value)
    assert codec.decode(encoded) == value
    assert reference.decode(name, encoded) == value
    assert len(encoded) % 4 == 0


def bounded_fields() -> list[tuple[str, str]]:
    found = []
    for name in TYPE_NAMES:
        definition = SOURCES.definition(name)
        if isinstance(definition, Struct):
            for field in definition.fields:
                if violation(LAYOUTS, LAYOUTS.shape(field)) is not None:
                    found.append((name, field.name))
    return found


BOUNDED = bounded_fields() if SOURCES else []


def test_there_are_bounded_fields_to_test() -> None:
    assert len(BOUNDED) > 300


@pytest.mark.parametrize(("name", "field"), BOUNDED, ids=[f"{n}.{f}" for n, f in BOUNDED])
def test_bound_violations_fail_on_both_sides(name: str, field: str) -> None:
    value = zero_value(LAYOUTS, StructRef(name))
    struct = SOURCES.definition(name)
    index = [f.name for f in struct.fields].index(field)
    slot = type(value).__slots__[index]
    setattr(value, slot, violation(LAYOUTS, LAYOUTS.shape(struct.fields[index])))
    codec = codec_of(name)
    with pytest.raises(XdrError) as generated_error:
        codec.encode(value)
    assert field in generated_error.value.field_path
    with pytest.raises(XdrError):
        ReferenceCodec(SOURCES).encode(name, value)
    # What a hostile peer could send: the same value encoded with no bound checks.
    hostile = ReferenceCodec(SOURCES, enforce_bounds=False).encode(name, value)
    shape = LAYOUTS.shape(struct.fields[index])
    if isinstance(shape, Primitive):
        # glibc narrows bool/char/short instead of refusing them: so do both decoders.
        narrowed = shape.narrowed(getattr(value, slot))
        assert getattr(codec.decode(hostile), slot) == narrowed
        assert getattr(ReferenceCodec(SOURCES).decode(name, hostile), slot) == narrowed
        return
    with pytest.raises(XdrError) as decode_error:
        codec.decode(hostile)
    assert decode_error.value.field_path.startswith(f"{name}.{field}")
    with pytest.raises(XdrError):
        ReferenceCodec(SOURCES).decode(name, hostile)


def test_fixed_lengths_are_enforced() -> None:
    codec = codec_of("remote_nonnull_domain")
    cls = type(zero_value(LAYOUTS, StructRef("remote_nonnull_domain")))
    for uuid in (bytes(15), bytes(17)):
        with pytest.raises(XdrError, match="fixed opaque needs 16 bytes"):
            codec.encode(cls("d", uuid, 1))
    info = codec_of("remote_node_get_info_ret")
    value = zero_value(LAYOUTS, StructRef("remote_node_get_info_ret"))
    value.model = [0] * 31
    with pytest.raises(XdrError, match="fixed array needs 32 elements"):
        info.encode(value)
    value.model = [0] * 31 + [200]  # char is signed
    with pytest.raises(XdrError, match="out of range"):
        info.encode(value)


def test_trailing_bytes_and_truncation() -> None:
    codec = codec_of("remote_connect_open_args")
    good = codec.encode(codec.decode(b"\0\0\0\1\0\0\0\3abc\0\0\0\0\0"))
    with pytest.raises(XdrError, match="4 bytes left after the value"):
        codec.decode(good + b"\0\0\0\0")
    assert codec.decode(good + b"\0\0\0\0", exact=False).name == "abc"
    for cut in range(len(good)):
        with pytest.raises(XdrError):
            codec.decode(good[:cut])


def test_errors_name_the_field_path_and_offset() -> None:
    codec = codec_of("remote_connect_list_all_domains_ret")
    domain = b"\0\0\0\1a\0\0\0" + bytes(16) + b"\0\0\0\1"
    # the second domain's name claims 200 bytes but only 24 remain
    data = b"\0\0\0\2" + domain + b"\0\0\0\xc8" + bytes(24)
    with pytest.raises(XdrError) as caught:
        codec.decode(data)
    assert caught.value.field_path == "remote_connect_list_all_domains_ret.domains[1].name"
    assert caught.value.offset == 4 + len(domain)
    assert "runs past the end" in str(caught.value)


def test_hostile_counts_are_rejected_before_allocation() -> None:
    codec = codec_of("remote_connect_list_all_domains_ret")
    with pytest.raises(XdrError, match="cannot fit in the bytes that remain"):
        codec.decode(b"\0\0\x3f\xff" + bytes(64))
    with pytest.raises(XdrError, match="exceeds its bound of 16384"):
        codec.decode(b"\xff\xff\xff\xff")


def test_invalid_utf8_travels_unchanged() -> None:
    codec = codec_of("remote_connect_open_args")
    data = b"\0\0\0\1\0\0\0\2\xff\xfe\0\0\0\0\0\0"
    value = codec.decode(data)
    assert value.name == "\udcff\udcfe"
    assert codec.encode(value) == data


def test_optional_flag_is_any_non_zero_word() -> None:
    codec = codec_of("remote_connect_open_args")
    for flag in (1, 2, 0x01000000, 0xFFFFFFFF):
        data = flag.to_bytes(4, "big") + b"\0\0\0\1a\0\0\0\0\0\0\0"
        assert codec.decode(data).name == "a"
        assert ReferenceCodec(SOURCES).decode("remote_connect_open_args", data).name == "a"
        assert codec.encode(codec.decode(data))[:4] == b"\0\0\0\1"  # encoding stays canonical
    assert codec.decode(b"\0\0\0\0\0\0\0\0").name is None
