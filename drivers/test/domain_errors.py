"""The errors domain_conf.c reports while it reads a domain definition (its error domain is
VIR_FROM_DOMAIN), one constructor per error code, for every definition module."""

from __future__ import annotations

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
