"""Codec benchmark: generated code against the xdrlib3-driven reference codec.

    python benchmarks/codec_bench.py [--rounds N]

Encodes and decodes replies of the sizes real clients see; prints the best time of
each side per workload, the ratio (reference / generated; > 1 means faster), and last
the geometric mean. A measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import math
import time
import uuid
from pathlib import Path

from virtrio.protocol.generated import remote
from virtrio.protocol.reference_codec import ReferenceCodec
from virtrio.protocol.sources import load_sources

REFERENCE_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "libvirt-9.0.0"


def typed_params(count: int) -> list[remote.remote_typed_param]:
    kinds = [
        (1, -5),
        (2, 7),
        (3, -(2**40)),
        (4, 2**50),
        (5, 1.5),
        (6, 1),
        (7, "a string value"),
    ]
    params = []
    for index in range(count):
        kind, value = kinds[index % len(kinds)]
        params.append(remote.remote_typed_param(f"field.{index}.name", remote.remote_typed_param_value(kind, value)))
    return params


def workloads() -> list[tuple[str, str, object]]:
    domains = [
        remote.remote_nonnull_domain(f"domain-{i:05d}", uuid.UUID(int=i).bytes, i if i % 3 else -1)
        for i in range(10_000)
    ]
    stats = [remote.remote_domain_stats_record(domains[i], typed_params(40)) for i in range(500)]
    return [
        (
            "list_all_domains_10000",
            "remote_connect_list_all_domains_ret",
            remote.remote_connect_list_all_domains_ret(domains, len(domains)),
        ),
        (
            "get_all_domain_stats_500x40",
            "remote_connect_get_all_domain_stats_ret",
            remote.remote_connect_get_all_domain_stats_ret(stats),
        ),
        (
            "scheduler_parameters_16",
            "remote_domain_get_scheduler_parameters_ret",
            remote.remote_domain_get_scheduler_parameters_ret(typed_params(16)),
        ),
        (
            "domain_get_info",
            "remote_domain_get_info_ret",
            remote.remote_domain_get_info_ret(1, 8388608, 2097152, 2, 123456789),
        ),
    ]


def best_of(rounds: int, repeat: int, action) -> float:
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            action()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--source", type=Path, default=REFERENCE_DATA)
    options = parser.parse_args()
    reference = ReferenceCodec(load_sources(options.source))
    ratios = []
    print(f"{'workload':32} {'xdrlib3 ms':>12} {'generated ms':>13} {'ratio':>7}")
    for label, type_name, value in workloads():
        codec = remote.CODECS[type_name]
        data = codec.encode(value)
        assert reference.encode(type_name, value) == data
        assert codec.decode(data) == value
        repeat = max(1, 200_000 // max(len(data), 1))
        ours = best_of(options.rounds, repeat, lambda c=codec, v=value: c.decode(c.encode(v)))
        theirs = best_of(
            options.rounds, repeat, lambda t=type_name, v=value: reference.decode(t, reference.encode(t, v))
        )
        ratios.append(theirs / ours)
        print(f"{label:32} {theirs * 1e3:12.3f} {ours * 1e3:13.3f} {theirs / ours:7.1f}")
    print(f"geomean ratio {math.exp(sum(map(math.log, ratios)) / len(ratios)):.1f}")


if __name__ == "__main__":
    main()
