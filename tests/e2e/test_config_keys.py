"""libvirtd.conf's keys: the socket group and modes honoured, every other key applied or named
in a warning, never silently dropped."""

from __future__ import annotations

import grp
import stat
import subprocess
import sys
from pathlib import Path

from interop.daemons import stop_process, wait_for_socket
from virtrio.server.config import ACCEPTED_DEFAULTS, CONFIG_KEYS

# Every key libvirt 9.0.0's src/remote/libvirtd.conf.in documents.
LIBVIRTD_KEYS = [
    "access_drivers",
    "admin_keepalive_count",
    "admin_keepalive_interval",
    "admin_keepalive_required",
    "admin_max_client_requests",
    "admin_max_clients",
    "admin_max_queued_clients",
    "admin_max_workers",
    "admin_min_workers",
    "audit_level",
    "audit_logging",
    "auth_tcp",
    "auth_tls",
    "auth_unix_ro",
    "auth_unix_rw",
    "ca_file",
    "cert_file",
    "crl_file",
    "host_uuid",
    "host_uuid_source",
    "keepalive_count",
    "keepalive_interval",
    "keepalive_required",
    "key_file",
    "listen_addr",
    "listen_tcp",
    "listen_tls",
    "log_filters",
    "log_level",
    "log_outputs",
    "max_anonymous_clients",
    "max_client_requests",
    "max_clients",
    "max_queued_clients",
    "max_workers",
    "min_workers",
    "ovs_timeout",
    "prio_workers",
    "sasl_allowed_username_list",
    "tcp_min_ssf",
    "tcp_port",
    "tls_allowed_dn_list",
    "tls_no_sanity_certificate",
    "tls_no_verify_certificate",
    "tls_port",
    "tls_priority",
    "unix_sock_admin_perms",
    "unix_sock_dir",
    "unix_sock_group",
    "unix_sock_ro_perms",
    "unix_sock_rw_perms",
]


def run_with(tmp_path: Path, config: str) -> tuple[subprocess.Popen, Path]:
    (tmp_path / "v.conf").write_text(config)
    log = tmp_path / "v.log"
    with open(log, "wb") as out:
        command = [
            sys.executable,
            "-m",
            "virtrio.server.cli",
            "daemon",
            "-f",
            str(tmp_path / "v.conf"),
            "--socket-dir",
            str(tmp_path / "s"),
        ]
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    wait_for_socket(tmp_path / "s" / "libvirt-admin-sock", process)
    return process, log


def test_socket_group_and_modes(tmp_path: Path) -> None:
    group = next(g for g in grp.getgrall() if g.gr_gid != 0)  # any group but root's
    process, _ = run_with(
        tmp_path,
        f'unix_sock_group = "{group.gr_name}"\nunix_sock_rw_perms = "0770"\n'
        f'unix_sock_ro_perms = "0775"\nunix_sock_admin_perms = "0750"\n',
    )
    try:
        for name, mode in (("libvirt-sock", 0o770), ("libvirt-sock-ro", 0o775), ("libvirt-admin-sock", 0o750)):
            info = (tmp_path / "s" / name).stat()
            assert (info.st_gid, stat.S_IMODE(info.st_mode)) == (group.gr_gid, mode), name
    finally:
        stop_process(process)


def test_every_libvirtd_key_is_applied_or_named(tmp_path: Path) -> None:
    values = {
        "log_outputs": '"3:stderr"',
        "log_filters": '"3:rpc"',
        "unix_sock_dir": f'"{tmp_path / "s"}"',
        "unix_sock_group": '"0"',
        "auth_unix_rw": '"none"',
        "auth_unix_ro": '"none"',
        "auth_tcp": '"none"',
        "auth_tls": '"sasl"',
        "tcp_port": '"16509"',
        "tls_port": '"16514"',
    }
    lines = []
    for key in LIBVIRTD_KEYS:
        if key in values:
            lines.append(f"{key} = {values[key]}")
        elif key.endswith("_perms"):
            lines.append(f'{key} = "0700"')
        elif key.endswith(("_file", "_list", "_addr", "_priority", "_uuid", "_source", "_drivers")) or key.startswith(
            "auth_"
        ):
            lines.append(f'{key} = "x"' if not key.endswith(("_list", "_drivers")) else f'{key} = ["x"]')
        else:
            lines.append(f"{key} = 1")
    process, log = run_with(tmp_path, "\n".join(lines) + "\n")
    stop_process(process)
    text = log.read_text()
    applied = set(CONFIG_KEYS) | set(ACCEPTED_DEFAULTS)  # auth: "none" only
    for key in LIBVIRTD_KEYS:
        assert key in applied or f" {key} " in text or f" {key}:" in text, f"{key} neither applied nor named"
    assert "unknown setting" not in text  # each is known by name, with its reason
