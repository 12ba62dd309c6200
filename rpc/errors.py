"""libvirt errors as the protocol carries them (remote_error / virNetMessageError)."""

from __future__ import annotations

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import virnet

from .error_messages import ERROR_MESSAGES

ERROR_CODEC = virnet.CODECS["virNetMessageError"]
STRING_MAX = virnet.VIR_NET_MESSAGE_STRING_MAX
LEVEL_ERROR = api.VIR_ERR_ERROR


class LibvirtError(Exception):
    """An error to send to a client, with exactly the fields libvirtd would fill in."""

    def __init__(
        self,
        code: int,
        domain: int,
        message: str | None,
        str1: str | None = None,
        str2: str | None = None,
        str3: str | None = None,
        int1: int = -1,
        int2: int = -1,
        level: int = LEVEL_ERROR,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.domain = domain
        self.message = message
        self.str1, self.str2, self.str3 = str1, str2, str3
        self.int1, self.int2 = int1, int2
        self.level = level

    def __repr__(self) -> str:
        return f"LibvirtError(code={self.code}, domain={self.domain}, message={self.message!r})"

    def to_wire(self) -> virnet.virNetMessageError:
        message, str1, str2, str3 = (_within_bound(text) for text in (self.message, self.str1, self.str2, self.str3))
        return virnet.virNetMessageError(
            self.code, self.domain, message, self.level, None, str1, str2, str3, self.int1, self.int2, None
        )

    def encode(self) -> bytes:
        return ERROR_CODEC.encode(self.to_wire())


def _within_bound(text: str | None) -> str | None:
    """A text cut to what an error's strings may carry (a parse error quoting a document's
    one long line can be longer): the error still reaches the client."""
    if text is None or len(text) <= STRING_MAX // 4:  # at most 4 bytes a character: surely within
        return text
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= STRING_MAX:
        return text
    return data[:STRING_MAX].decode("utf-8", "ignore")


def report(code: int, domain: int, detail: str | None = None) -> LibvirtError:
    """An error as virReportError makes it: the code's prefix applied to the detail."""
    _, without_detail, template = ERROR_MESSAGES.get(code, (None, None, None))
    if detail is None:
        text = without_detail
        return LibvirtError(code, domain, text, text, None)
    if template is None:
        return LibvirtError(code, domain, detail, None, detail)
    return LibvirtError(code, domain, template.replace("%s", detail, 1), template, detail)


def invalid_argument(domain: int, message: str, function: str, argument: str = "flags") -> LibvirtError:
    """An error as virReportInvalidArg and virCheckFlags make it: no prefix."""
    return LibvirtError(api.VIR_ERR_INVALID_ARG, domain, message, function, argument, None, 0, 0)


def unsupported_flags(domain: int, flags: int, function: str) -> LibvirtError:
    return invalid_argument(domain, f"unsupported flags (0x{flags:x}) in function {function}", function)


def check_flags(flags: int, allowed: int, domain: int, function: str) -> None:
    """Raise libvirt's "unsupported flags" error for any flag outside allowed."""
    extra = flags & ~allowed
    if extra:
        raise unsupported_flags(domain, extra, function)


def rpc_error(message: str) -> LibvirtError:
    """The daemon's own RPC-layer errors: code 39, domain 7, message as is."""
    return report(api.VIR_ERR_RPC, api.VIR_FROM_RPC, message)


def cause_unknown() -> LibvirtError:
    """What a client gets when libvirt fails without setting an error (virErrorGenericFailure)."""
    return LibvirtError(
        api.VIR_ERR_INTERNAL_ERROR, api.VIR_FROM_NONE, "An error occurred, but the cause is unknown", int1=0, int2=0
    )


def error_not_set() -> LibvirtError:
    """What libvirtd sends for a call that failed without setting an error (virNetMessageSaveError)."""
    return LibvirtError(
        api.VIR_ERR_INTERNAL_ERROR,
        api.VIR_FROM_RPC,
        "Library function returned error but did not set virError",
        int1=0,
        int2=0,
    )


def internal_error(domain: int, detail: str) -> LibvirtError:
    return report(api.VIR_ERR_INTERNAL_ERROR, domain, detail)


def no_support(domain: int, api_name: str) -> LibvirtError:
    return report(api.VIR_ERR_NO_SUPPORT, domain, api_name)


def read_only_denied(domain: int, api_name: str, detail: str | None = None) -> LibvirtError:
    """libvirt's virCheckReadOnlyGoto refusal, or the detail of a function testing the flag itself."""
    return report(api.VIR_ERR_OPERATION_DENIED, domain, detail or f"read only access prevents {api_name}")
