"""The errors domain_conf.c reports while it reads a domain definition (its error domain is
VIR_FROM_DOMAIN), one constructor per error code, for every definition module."""

from __future__ import annotations

from contextvars import ContextVar

from virtrio.protocol.generated import libvirt_api as api
from virtrio.rpc.errors import LibvirtError, report


def config_unsupported(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_CONFIG_UNSUPPORTED, api.VIR_FROM_DOMAIN, detail)


def domain_xml_error(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_XML_ERROR, api.VIR_FROM_DOMAIN, detail)


def domain_xml_detail(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_XML_DETAIL, api.VIR_FROM_DOMAIN, detail)


def domain_internal_error(detail: str) -> LibvirtError:
    return report(api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_DOMAIN, detail)


class LaterPostParseError(LibvirtError):
    """A refusal of virDomainDefPostParseCommon's steps after its memory checks that virtrio
    makes while it reads the definition (duplicate controllers, boot elements): a memory
    fault of the same document is reported in its place, as libvirt reports it first."""


def later_post_parse(error: LibvirtError) -> LaterPostParseError:
    return LaterPostParseError(
        error.code, error.domain, error.message, error.str1, error.str2, error.str3, error.int1, error.int2, error.level
    )


# The boot-order refusals a domain's parse holds back until the post-parse step where libvirt
# makes them (virDomainDefBootOrderPostParse): the reading goes on meanwhile, so a reading
# fault of the same document is the one reported. Per parse (a context variable: documents
# are also parsed in worker threads).
_HELD_BACK: ContextVar[list[LibvirtError] | None] = ContextVar("held_back_boot_faults", default=None)


def boot_order_fault(error: LibvirtError) -> None:
    """Raise a boot-order refusal now (as a later post-parse one), or hold it back for
    BootOrderFaultsHeldBack's caller."""
    held_back = _HELD_BACK.get()
    if held_back is None:
        raise later_post_parse(error)
    held_back.append(error)


class BootOrderFaultsHeldBack:
    """A with block whose parse holds its boot-order refusals back, in the list it gives (a
    class rather than a generator's context manager: one is made for every definition read)."""

    __slots__ = ("_token", "faults")

    def __enter__(self) -> list[LibvirtError]:
        self.faults: list[LibvirtError] = []
        self._token = _HELD_BACK.set(self.faults)
        return self.faults

    def __exit__(self, *_exception: object) -> None:
        _HELD_BACK.reset(self._token)
