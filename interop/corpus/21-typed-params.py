import sys

import libvirt

conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName("test")
for name, call in [
    ("scheduler type", lambda: dom.schedulerType()),
    ("scheduler", lambda: dom.schedulerParameters()),
    ("memory", lambda: dom.memoryParameters(0)),
    ("blkio", lambda: dom.blkioParameters(0)),
    ("numa", lambda: dom.numaParameters(0)),
    ("perf", lambda: dom.perfEvents(0)),
    ("block stats", lambda: dom.blockStatsFlags("vda", 0)),
    ("interface params", lambda: dom.interfaceParameters("testnet0", 0)),
    ("stats", lambda: [(d.name(), s) for d, s in conn.getAllDomainStats()]),
    ("job", lambda: dom.jobStats()),
    ("guest vcpus", lambda: dom.guestVcpus()),
    ("node memory", lambda: conn.getMemoryParameters()),
    ("cpu stats", lambda: sorted(conn.getCPUStats(-1).keys())),
    ("node memory stats", lambda: sorted(conn.getMemoryStats(-1).keys())),
]:
    try:
        print(name, call())
    except libvirt.libvirtError as error:
        print(name, "error", error.get_error_code(), error.get_error_domain(), error.get_error_message())
