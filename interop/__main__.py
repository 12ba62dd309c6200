"""python -m interop {compare,capture,bench}: virtrio against libvirtd, side by side."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m interop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("bench", help="the same workloads against both daemons; ratio > 1: virtrio faster")
    bench.add_argument("--quick", action="store_true", help="fewer iterations and one round: ends within a minute")
    bench.add_argument("--rounds", type=int, help="rounds per workload (best counts)")
    bench.add_argument("--only", nargs="*", help="run just these workloads")
    options = parser.parse_args(argv)
    if options.command == "bench":
        from .bench import run

        return run(options.quick, options.rounds, options.only)
    return 2


if __name__ == "__main__":
    sys.exit(main())
