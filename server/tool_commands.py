"""The ``virtrio pki`` and ``virtrio sasl-passwd`` command lines, kept light: the daemon's
parser is built on every start, and these modules' own imports (cryptography, trio) are
paid only when the command runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse  # the daemon imports this module (sasl.py) without argparse


def default_passwd_path() -> Path:
    """The SCRAM password database: /etc/virtrio/sasl-passwd as root, else the user's."""
    if os.geteuid() == 0:
        return Path("/etc/virtrio/sasl-passwd")
    return Path.home() / ".config" / "virtrio" / "sasl-passwd"


def add_arguments(commands: Any) -> None:
    pki = commands.add_parser("pki", help="make a CA, server and client certificates for TLS")
    pki.add_argument("what", choices=["ca", "server", "client"])
    pki.add_argument("--dir", type=Path, help="write every file into this folder (a client's pkipath=)")
    pki.add_argument("--organization", default="virtrio")
    pki.add_argument("--cn", help="the common name (default: this host's name; 'client' for a client)")
    pki.add_argument(
        "--name",
        action="append",
        default=[],
        help="a host name or address the server answers to (repeat); default: its CN",
    )
    pki.add_argument("--force", action="store_true", help="overwrite existing keys")
    sasl = commands.add_parser("sasl-passwd", help="manage the SCRAM-SHA-256 password database")
    sasl.add_argument("action", choices=["add", "remove", "list"])
    sasl.add_argument("user", nargs="?")
    sasl.add_argument("--file", type=Path, help=f"the database (default {default_passwd_path()})")
    sasl.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def run(options: argparse.Namespace) -> int:
    if options.command == "pki":
        from .pki import run as run_pki

        return run_pki(options)
    from .sasl import run as run_sasl_passwd

    return run_sasl_passwd(options)
