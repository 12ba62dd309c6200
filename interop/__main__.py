"""python -m interop COMMAND: virtrio and libvirtd side by side, judged by the same clients and data."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["xmlcorpus"]:  # its own options (python -m interop xmlcorpus --help)
        from .xmlcorpus import main as run_xmlcorpus

        return run_xmlcorpus(arguments[1:])
    parser = argparse.ArgumentParser(prog="python -m interop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("bench", help="the same workloads against both daemons; ratio > 1: virtrio faster")
    bench.add_argument("--quick", action="store_true", help="fewer iterations and one round: ends within a minute")
    bench.add_argument("--rounds", type=int, help="rounds per workload (best counts)")
    bench.add_argument("--only", nargs="*", help="run just these workloads")
    compare = commands.add_parser("compare", help="run the corpus against both daemons and compare")
    compare.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent are identical")
    compare.add_argument("--only", nargs="*", help="run just these scenarios (file names without suffix)")
    compare.add_argument(
        "--fail-packet-diffs-over",
        type=int,
        metavar="N",
        help="exit 1 when more than N replies differ from libvirtd's, field by field",
    )
    compare.add_argument(
        "--reference-twice",
        action="store_true",
        help="compare libvirtd with itself: shows the normalisation hides nothing real",
    )
    nodedev = commands.add_parser("nodedev", help="node devices against libvirtd's own udev driver")
    nodedev.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent of devices are identical")
    commands.add_parser("xmlcorpus", help="libvirt's own test documents defined into both daemons and read back")
    commands.add_parser("pysuite", help="libvirt-python's own test suite against both daemons")
    commands.add_parser("virshscripts", help="libvirt's own tests/virsh-* scripts against both daemons")
    commands.add_parser("perlsuite", help="Sys::Virt's (libvirt's Perl binding) own tests against both daemons")
    goclient = commands.add_parser("goclient", help="the Go client go-libvirt (and its integration tests) against both")
    goclient.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent are the same")
    goclient.add_argument("--calls-only", action="store_true", help="skip go-libvirt's own integration tests")
    virtinst = commands.add_parser("virtinst", help="virt-manager's own virt-install/virt-xml/virt-clone command lines")
    virtinst.add_argument("--fail-under", type=float, help="exit 1 when fewer than P percent are identical")
    virtinst.add_argument("--limit", type=int, help="run only the first N runnable command lines")
    virtinst.add_argument("--only", nargs="*", help="run just these command lines (the names DIFF lines show)")
    capture = commands.add_parser("capture", help="record both daemons' traffic for one scenario")
    capture.add_argument("scenario")
    options = parser.parse_args(argv)
    if options.command == "compare":
        from .compare import run as run_compare

        return run_compare(options.fail_under, options.only, options.reference_twice, options.fail_packet_diffs_over)
    if options.command == "nodedev":
        from .nodedev import run as run_nodedev

        return run_nodedev(options.fail_under)
    if options.command == "pysuite":
        from .libvirt_python_suite import run as run_pysuite

        return run_pysuite()
    if options.command == "virshscripts":
        from .virsh_scripts import run as run_virsh_scripts

        return run_virsh_scripts()
    if options.command == "perlsuite":
        from .perl_suite import run as run_perlsuite

        return run_perlsuite()
    if options.command == "goclient":
        from .goclient import run as run_goclient

        return run_goclient(options.fail_under, not options.calls_only)
    if options.command == "virtinst":
        from .virtinst import run as run_virtinst

        return run_virtinst(options.fail_under, options.limit, options.only)
    if options.command == "capture":
        from .capture import run as run_capture

        return run_capture(options.scenario)
    if options.command == "bench":
        from .bench import run

        return run(options.quick, options.rounds, options.only)
    return 2


if __name__ == "__main__":
    sys.exit(main())
