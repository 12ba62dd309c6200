"""SASL authentication as libvirtd's remote driver does it, with a SCRAM-SHA-256 server
written here (RFC 5802 and RFC 7677, hashlib and hmac; no Cyrus on the server side).

The password database holds what SCRAM servers store, never a password: per user the
iteration count, the salt, StoredKey and ServerKey, one ``user:iterations:salt:stored:server``
line each (base64), written atomically with mode 0600 by ``virtrio sasl-passwd``. Default
path: /etc/virtrio/sasl-passwd as root, else ~/.config/virtrio/sasl-passwd; the daemon's
``sasl_passwd_file`` setting names another.

SCRAM gives no security layer (SSF 0): libvirtd refuses such a mechanism on plain TCP
(its SSF must reach 56), so only TLS and unix sockets offer it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import report
from virtrio.rpc.records import FrozenRecord, Record

from .auth import AuthMethod, auth_method
from .dispatch import HandlerTable, handler_table
from .listeners import SocketKind
from .tool_commands import default_passwd_path

if TYPE_CHECKING:
    import argparse  # the sasl-passwd command's options; argparse is not loaded by the daemon

    from .session import ClientSession

log = logging.getLogger("virtrio.server.sasl")
HANDLERS: HandlerTable = {}  # the SASL steps of REMOTE (dispatch.REMOTE)
sasl_procedure = handler_table(HANDLERS)
MECHANISM = "SCRAM-SHA-256"
ITERATIONS = 4096  # RFC 7677's minimum
MAX_FIELD = 1024  # user names and nonces: a client may not make us hold more
_reader = trio.CapacityLimiter(2)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _hmac(key: bytes, text: bytes) -> bytes:
    return hmac.new(key, text, hashlib.sha256).digest()


class StoredUser(FrozenRecord):
    _fields = ("iterations", "salt", "stored_key", "server_key")
    __slots__ = _fields
    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    def __init__(self, iterations: int, salt: bytes, stored_key: bytes, server_key: bytes) -> None:
        object.__setattr__(self, "iterations", iterations)
        object.__setattr__(self, "salt", salt)
        object.__setattr__(self, "stored_key", stored_key)
        object.__setattr__(self, "server_key", server_key)


def make_entry(password: str, iterations: int = ITERATIONS) -> StoredUser:
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = _hmac(salted, b"Client Key")
    return StoredUser(iterations, salt, hashlib.sha256(client_key).digest(), _hmac(salted, b"Server Key"))


def read_database(path: Path) -> dict[str, StoredUser]:
    users: dict[str, StoredUser] = {}
    try:
        text = path.read_text()
    except FileNotFoundError:
        return users
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) != 5:
            continue
        name, iterations, salt, stored, server = parts
        users[name] = StoredUser(
            int(iterations), base64.b64decode(salt), base64.b64decode(stored), base64.b64decode(server)
        )
    return users


def write_database(path: Path, users: dict[str, StoredUser]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        f"{name}:{u.iterations}:{_b64(u.salt)}:{_b64(u.stored_key)}:{_b64(u.server_key)}\n"
        for name, u in sorted(users.items())
    )
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


class ScramFailure(Exception):
    pass


class ScramServer:
    """One SCRAM-SHA-256 exchange: first() takes client-first, final() client-final."""

    def __init__(self) -> None:
        self.user = ""
        self.nonce = ""
        self.first_bare = ""
        self.server_first = ""
        self.gs2_header = ""

    def first(self, message: bytes, lookup: dict[str, StoredUser]) -> tuple[bytes, StoredUser]:
        text = message.decode("utf-8", "strict")
        match = re.fullmatch(r"([ny]),(a=[^,]*)?,(n=([^,]*),r=([^,]*)(?:,.*)?)", text, re.DOTALL)
        if match is None:
            raise ScramFailure("client-first-message not understood (channel binding is not offered)")
        self.gs2_header = text[: len(text) - len(match.group(3))]
        self.first_bare = match.group(3)
        self.user = match.group(4).replace("=2C", ",").replace("=3D", "=")
        client_nonce = match.group(5)
        if not client_nonce or len(client_nonce) > MAX_FIELD or len(self.user) > MAX_FIELD:
            raise ScramFailure("bad nonce or user name")
        entry = lookup.get(self.user)
        if entry is None:
            raise ScramFailure(f"no such user {self.user!r}")
        self.nonce = client_nonce + _b64(secrets.token_bytes(18))
        self.server_first = f"r={self.nonce},s={_b64(entry.salt)},i={entry.iterations}"
        return self.server_first.encode(), entry

    def final(self, message: bytes, entry: StoredUser) -> bytes:
        text = message.decode("utf-8", "strict")
        match = re.fullmatch(r"(c=([^,]*),r=([^,]*)(?:,[^p][^,]*)*),p=([^,]*)", text)
        if match is None:
            raise ScramFailure("client-final-message not understood")
        without_proof, binding, nonce, proof = match.groups()
        if nonce != self.nonce or base64.b64decode(binding) != self.gs2_header.encode():
            raise ScramFailure("nonce or channel binding mismatch")
        auth_message = f"{self.first_bare},{self.server_first},{without_proof}".encode()
        signature = _hmac(entry.stored_key, auth_message)
        given = base64.b64decode(proof)
        if len(given) != len(signature):
            raise ScramFailure("bad proof")
        client_key = bytes(a ^ b for a, b in zip(given, signature, strict=True))
        if not hmac.compare_digest(hashlib.sha256(client_key).digest(), entry.stored_key):
            raise ScramFailure("wrong password")
        return f"v={_b64(_hmac(entry.server_key, auth_message))}".encode()


def glob_matches(pattern: str, text: str) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


class Exchange(Record):
    """A session's SASL state (ClientSession.auth_state)."""

    _fields = ("scram", "entry")

    def __init__(self, scram: ScramServer | None = None, entry: StoredUser | None = None) -> None:
        self.scram = scram
        self.entry = entry


def _failed(session: ClientSession, why: str) -> Exception:
    session.auth_state = None
    log.error("client %d: SASL authentication failed: %s", session.id, why)
    return report(api.VIR_ERR_AUTH_FAILED, api.VIR_FROM_RPC, "authentication failed")


def _secure(session: ClientSession) -> bool:
    """TLS or a unix socket: libvirtd then asks SASL for no security layer of its own."""
    return session.kind != SocketKind.TCP


async def _drop_if_unfinished(session: ClientSession) -> None:
    await trio.sleep(session.daemon.config.sasl_auth_timeout)
    if not session.authenticated:
        session.disconnect(f"SASL authentication not finished in {session.daemon.config.sasl_auth_timeout} s")


@sasl_procedure(remote.REMOTE_PROC_AUTH_SASL_INIT)
def sasl_init(session: ClientSession, args: None) -> Any:
    if auth_method(session.daemon.config, session.kind) is not AuthMethod.SASL or session.auth_state is not None:
        raise _failed(session, "client tried invalid SASL init request")
    if not _secure(session):
        # SCRAM's SSF is 0, below libvirtd's tcp_min_ssf of 56: no mechanism to offer.
        raise _failed(session, "no mechanism with a security layer for plain TCP")
    session.auth_state = Exchange()
    session.start_task(_drop_if_unfinished, session)
    return remote.remote_auth_sasl_init_ret(MECHANISM)


@sasl_procedure(remote.REMOTE_PROC_AUTH_SASL_START)
async def sasl_start(session: ClientSession, args: remote.remote_auth_sasl_start_args) -> Any:
    state = session.auth_state
    if auth_method(session.daemon.config, session.kind) is not AuthMethod.SASL or not isinstance(state, Exchange):
        raise _failed(session, "client tried invalid SASL start request")
    if args.mech != MECHANISM or args.nil:
        raise _failed(session, f"mechanism {args.mech!r} not offered")
    path = Path(session.daemon.config.sasl_passwd_file or default_passwd_path())
    users = await trio.to_thread.run_sync(read_database, path, limiter=_reader)
    state.scram = ScramServer()
    try:
        reply, state.entry = state.scram.first(bytes(args.data), users)
    except (ScramFailure, UnicodeDecodeError) as error:
        raise _failed(session, str(error)) from None
    return remote.remote_auth_sasl_start_ret(0, 0, reply)


@sasl_procedure(remote.REMOTE_PROC_AUTH_SASL_STEP)
def sasl_step(session: ClientSession, args: remote.remote_auth_sasl_step_args) -> Any:
    state = session.auth_state
    if not isinstance(state, Exchange) or state.scram is None or state.entry is None:
        raise _failed(session, "client tried invalid SASL start request")
    try:
        reply = state.scram.final(bytes(args.data), state.entry)
    except (ScramFailure, UnicodeDecodeError, ValueError) as error:
        raise _failed(session, str(error)) from None
    user = state.scram.user
    allowed = session.daemon.config.sasl_allowed_username_list
    if allowed and not any(glob_matches(pattern, user) for pattern in allowed):
        raise _failed(session, f"SASL client identity '{user}' not allowed by sasl_allowed_username_list")
    session.auth_state = user  # kept for virt-admin client-info; a new SASL_INIT is refused
    session.authenticated = True
    log.info("client %d authenticated as %s with %s", session.id, user, MECHANISM)
    return remote.remote_auth_sasl_step_ret(1, 0, reply)


# ----------------------------------------------------------------- virtrio sasl-passwd
def run(options: argparse.Namespace) -> int:
    import getpass
    import sys

    path = options.file or default_passwd_path()
    users = read_database(path)
    if options.action == "list":
        for name in sorted(users):
            print(name)
        return 0
    if not options.user or ":" in options.user:
        print("virtrio: sasl-passwd: a user name without ':' is needed", file=sys.stderr)
        return 2
    if options.action == "remove":
        if users.pop(options.user, None) is None:
            print(f"virtrio: sasl-passwd: no user {options.user} in {path}", file=sys.stderr)
            return 1
    else:
        if options.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"Password for {options.user}: ")
            if getpass.getpass("Again: ") != password:
                print("virtrio: sasl-passwd: the passwords differ", file=sys.stderr)
                return 1
        if not password:
            print("virtrio: sasl-passwd: an empty password is refused", file=sys.stderr)
            return 1
        users[options.user] = make_entry(password)
    write_database(path, users)
    print(f"virtrio: {path} updated")
    return 0
