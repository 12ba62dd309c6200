"""Secrets on a test:/// connection: beyond libvirt's test driver, which has none.

They behave as libvirt 9.0.0's secret driver makes them behave (its messages, error codes
and function names, VIR_FROM_SECRET), with definitions and values kept in the node's
memory only. Every caller here is a client of the daemon, so a private secret's value is
never given out: libvirt gives it only to the daemon's own identity.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from lxml import etree

from virtrio.drivers.base import Event, EventFamily
from virtrio.drivers.libvirt_rules import parse_uuid
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, invalid_argument, report

from ..xml_text import escape_text
from .common import TestProcedures, flag_groups_match
from .large_documents import read_then
from .parse import parse_document, validate_against_schema

FROM_SECRET = api.VIR_FROM_SECRET
USAGE_NAMES = ("none", "volume", "ceph", "iscsi", "tls", "vtpm")  # by VIR_SECRET_USAGE_TYPE_*
# usage type: (the element naming what the secret is for, the label of the error when it is missing)
USAGE_ELEMENTS = {
    api.VIR_SECRET_USAGE_TYPE_VOLUME: ("volume", "volume usage specified, but volume path"),
    api.VIR_SECRET_USAGE_TYPE_CEPH: ("name", "Ceph usage specified, but name"),
    api.VIR_SECRET_USAGE_TYPE_ISCSI: ("target", "iSCSI usage specified, but target"),
    api.VIR_SECRET_USAGE_TYPE_TLS: ("name", "TLS usage specified, but name"),
    api.VIR_SECRET_USAGE_TYPE_VTPM: ("name", "vTPM usage specified, but name"),
}
ALL_LIST_FLAGS = (
    api.VIR_CONNECT_LIST_SECRETS_EPHEMERAL
    | api.VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL
    | api.VIR_CONNECT_LIST_SECRETS_PRIVATE
    | api.VIR_CONNECT_LIST_SECRETS_NO_PRIVATE
)


@dataclass
class Secret:
    """A secret (virSecretDef) and its value."""

    uuid: bytes
    ephemeral: bool = False
    private: bool = False
    description: str | None = None
    usage_type: int = api.VIR_SECRET_USAGE_TYPE_NONE
    usage_id: str | None = None  # None exactly when the usage type is none
    value: bytes | None = None

    @property
    def uuid_text(self) -> str:
        return str(uuid.UUID(bytes=self.uuid))

    def ref(self) -> remote.remote_nonnull_secret:
        return remote.remote_nonnull_secret(self.uuid, self.usage_type, self.usage_id or "")


# ------------------------------------------------------------------------------ XML
def secret_xml(secret: Secret) -> str:
    """virSecretDefFormat's document."""
    yes_no = {True: "yes", False: "no"}
    lines = [
        f"<secret ephemeral='{yes_no[secret.ephemeral]}' private='{yes_no[secret.private]}'>",
        f"  <uuid>{secret.uuid_text}</uuid>",
    ]
    if secret.description is not None:
        lines.append(f"  <description>{escape_text(secret.description)}</description>")
    if secret.usage_type != api.VIR_SECRET_USAGE_TYPE_NONE:
        element, _ = USAGE_ELEMENTS[secret.usage_type]
        lines += [
            f"  <usage type='{USAGE_NAMES[secret.usage_type]}'>",
            f"    <{element}>{escape_text(secret.usage_id or '')}</{element}>",
            "  </usage>",
        ]
    lines.append("</secret>")
    return "\n".join(lines) + "\n"


def _string(root: etree._Element, path: str) -> str | None:
    """virXPathString: the XPath's string value, None when empty."""
    value = root.xpath(f"string({path})")
    return str(value) if value else None


def _yes_no(root: etree._Element, attribute: str) -> bool:
    value = _string(root, f"./@{attribute}")
    if value is None:
        return False
    if value not in ("yes", "no"):
        raise report(api.VIR_ERR_XML_ERROR, FROM_SECRET, f"invalid value of '{attribute}'")
    return value == "yes"


def _usage(root: etree._Element) -> tuple[int, str | None]:
    name = _string(root, "./usage/@type")
    if name is None:
        raise report(api.VIR_ERR_XML_ERROR, FROM_SECRET, "unknown secret usage type")
    if name not in USAGE_NAMES:
        raise report(api.VIR_ERR_CONFIG_UNSUPPORTED, FROM_SECRET, f"unknown secret usage type {name}")
    usage_type = USAGE_NAMES.index(name)
    if usage_type == api.VIR_SECRET_USAGE_TYPE_NONE:
        return usage_type, None
    element, label = USAGE_ELEMENTS[usage_type]
    usage_id = _string(root, f"./usage/{element}")
    if usage_id is None:
        raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_SECRET, f"{label} is missing")
    return usage_type, usage_id


def parse_secret_xml(text: str, validate: bool = False) -> Secret:
    """virSecretDefParse: a definition (no value) from a <secret> document."""
    if validate:
        validate_against_schema(text, "secret.rng", "secret")
    root = parse_document(text, "secret")
    ephemeral = _yes_no(root, "ephemeral")
    private = _yes_no(root, "private")
    uuid_text = _string(root, "./uuid")
    if uuid_text is None:
        secret_uuid = uuid.uuid4().bytes
    else:
        parsed = parse_uuid(uuid_text)
        if parsed is None:
            raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_SECRET, "malformed uuid element")
        secret_uuid = parsed
    description = _string(root, "./description")
    usage_type, usage_id = api.VIR_SECRET_USAGE_TYPE_NONE, None
    if root.xpath("./usage"):
        usage_type, usage_id = _usage(root)
    return Secret(secret_uuid, ephemeral, private, description, usage_type, usage_id)


# ------------------------------------------------------------------------ procedures
def _matches(secret: Secret, flags: int) -> bool:
    groups = (
        (api.VIR_CONNECT_LIST_SECRETS_EPHEMERAL, secret.ephemeral, api.VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL),
        (api.VIR_CONNECT_LIST_SECRETS_PRIVATE, secret.private, api.VIR_CONNECT_LIST_SECRETS_NO_PRIVATE),
    )
    return flag_groups_match(flags, groups)


class SecretProcedures(TestProcedures):
    def _secret(self, ref: remote.remote_nonnull_secret) -> Secret:
        secret = self.state.secrets.get(ref.uuid)
        if secret is None:
            detail = f"no secret with matching uuid '{uuid.UUID(bytes=ref.uuid)}'"
            raise report(api.VIR_ERR_NO_SECRET, FROM_SECRET, detail)
        return secret

    def _emit_secret(self, event_id: int, secret: Secret, *fields: int) -> None:
        self.state.events.emit(Event(EventFamily.SECRET, event_id, secret.uuid, (secret.ref(), *fields)))

    def connect_num_of_secrets(self) -> remote.remote_connect_num_of_secrets_ret:
        return remote.remote_connect_num_of_secrets_ret(len(self.state.secrets))

    def connect_list_secrets(self, args: remote.remote_connect_list_secrets_args):
        if args.maxuuids < 0:
            message = "maxuuids in virConnectListSecrets must be zero or greater"
            raise invalid_argument(FROM_SECRET, message, "virConnectListSecrets", "maxuuids")
        uuids = [s.uuid_text for s in self.state.secrets.values()][: args.maxuuids]
        return remote.remote_connect_list_secrets_ret(uuids)

    def connect_list_all_secrets(self, args: remote.remote_connect_list_all_secrets_args):
        check_flags(args.flags, ALL_LIST_FLAGS, FROM_SECRET, "secretConnectListAllSecrets")
        chosen = [s for s in self.state.secrets.values() if _matches(s, args.flags)]
        refs = [s.ref() for s in chosen] if args.need_results else []
        return remote.remote_connect_list_all_secrets_ret(refs, len(chosen))

    def secret_lookup_by_uuid(self, args: remote.remote_secret_lookup_by_uuid_args):
        secret = self._secret(remote.remote_nonnull_secret(args.uuid, 0, ""))
        return remote.remote_secret_lookup_by_uuid_ret(secret.ref())

    def secret_lookup_by_usage(self, args: remote.remote_secret_lookup_by_usage_args):
        secret = self._secret_with_usage(args.usageType, args.usageID)
        if secret is None:
            detail = f"no secret with matching usage '{args.usageID}'"
            raise report(api.VIR_ERR_NO_SECRET, FROM_SECRET, detail)
        return remote.remote_secret_lookup_by_usage_ret(secret.ref())

    def _secret_with_usage(self, usage_type: int, usage_id: str | None) -> Secret | None:
        if usage_type == api.VIR_SECRET_USAGE_TYPE_NONE:
            return None  # a secret for nothing in particular is never found by its usage
        return next(
            (s for s in self.state.secrets.values() if s.usage_type == usage_type and s.usage_id == usage_id), None
        )

    def secret_define_xml(self, args: remote.remote_secret_define_xml_args):
        check_flags(args.flags, api.VIR_SECRET_DEFINE_VALIDATE, FROM_SECRET, "secretDefineXML")
        validate = bool(args.flags & api.VIR_SECRET_DEFINE_VALIDATE)
        return read_then(args.xml, functools.partial(parse_secret_xml, args.xml, validate), self._defined_secret)

    def _defined_secret(self, new: Secret) -> remote.remote_secret_define_xml_ret:
        old = self.state.secrets.get(new.uuid)
        if old is not None:
            # the same secret, described anew: it must stay for the same use, and private once private
            if old.usage_id != new.usage_id:
                used_for = "(null)" if old.usage_id is None else old.usage_id  # as C's printf shows NULL
                detail = f"a secret with UUID {old.uuid_text} is already defined for use with {used_for}"
                raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_SECRET, detail)
            if old.private and not new.private:
                raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_SECRET, "cannot change private flag on existing secret")
            new.value = old.value
        else:
            other = self._secret_with_usage(new.usage_type, new.usage_id)
            if other is not None:
                detail = f"a secret with UUID {other.uuid_text} already defined for use with {new.usage_id}"
                raise report(api.VIR_ERR_INTERNAL_ERROR, FROM_SECRET, detail)
        self.state.secrets[new.uuid] = new
        self._emit_secret(api.VIR_SECRET_EVENT_ID_LIFECYCLE, new, api.VIR_SECRET_EVENT_DEFINED, 0)
        return remote.remote_secret_define_xml_ret(new.ref())

    def secret_get_xml_desc(self, args: remote.remote_secret_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_SECRET, "secretGetXMLDesc")
        return remote.remote_secret_get_xml_desc_ret(secret_xml(self._secret(args.secret)))

    def secret_set_value(self, args: remote.remote_secret_set_value_args) -> None:
        if not args.value:  # an empty opaque arrives as a NULL pointer in libvirtd
            raise invalid_argument(
                FROM_SECRET, "value in virSecretSetValue must not be NULL", "virSecretSetValue", "value"
            )
        check_flags(args.flags, 0, FROM_SECRET, "secretSetValue")
        secret = self._secret(args.secret)
        secret.value = bytes(args.value)
        self._emit_secret(api.VIR_SECRET_EVENT_ID_VALUE_CHANGED, secret)

    def secret_get_value(self, args: remote.remote_secret_get_value_args):
        check_flags(args.flags, 0, FROM_SECRET, "secretGetValue")
        secret = self._secret(args.secret)
        if secret.private:
            raise report(api.VIR_ERR_INVALID_SECRET, FROM_SECRET, "secret is private")
        if secret.value is None:
            detail = f"secret '{secret.uuid_text}' does not have a value"
            raise report(api.VIR_ERR_NO_SECRET, FROM_SECRET, detail)
        return remote.remote_secret_get_value_ret(secret.value)

    def secret_undefine(self, args: remote.remote_secret_undefine_args) -> None:
        secret = self._secret(args.secret)
        del self.state.secrets[secret.uuid]
        self._emit_secret(api.VIR_SECRET_EVENT_ID_LIFECYCLE, secret, api.VIR_SECRET_EVENT_UNDEFINED, 0)
