# uri: test:///default
# Node files whose <cpu> and <memory> describe other hosts (and values libvirt refuses): what
# the host calls answer from them.
import tempfile
from pathlib import Path

import libvirt
from steps import attempt, node_file_uri

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
HOSTS = {
    "small": "<cpu><mhz>1000</mhz><model>tiny</model><nodes>1</nodes><sockets>1</sockets><cores>1</cores>"
    "<threads>1</threads></cpu><memory>1024</memory>",
    "big": "<cpu><mhz>3000</mhz><model>x86_64</model><nodes>4</nodes><sockets>2</sockets><cores>8</cores>"
    "<threads>2</threads><active>100</active></cpu><memory>67108864</memory>",
    "partial": "<cpu><sockets>3</sockets></cpu>",
    "active only": "<cpu><active>3</active></cpu>",
    "no cpu": "<memory>2048</memory>",
    "zero nodes": "<cpu><nodes>0</nodes></cpu>",
    "bad sockets": "<cpu><sockets>x</sockets></cpu>",
    "bad memory": "<memory>lots</memory>",
    "negative cores": "<cpu><cores>-1</cores></cpu>",
    "long model": "<cpu><model>" + "m" * 40 + "</model></cpu>",
    "spaced": "<cpu><nodes> 2 </nodes><mhz>+5</mhz></cpu><memory> 4096</memory>",
    "past INT_MAX": "<cpu><threads>3000000000</threads><mhz>4294967295</mhz></cpu>",
}


with tempfile.TemporaryDirectory() as folder:
    for name, body in HOSTS.items():
        path = Path(folder) / "host.xml"
        path.write_text(f"<node>{body}</node>")
        try:
            conn = libvirt.open(node_file_uri(path))
        except libvirt.libvirtError as error:
            print(name, "open !!", error.get_error_code(), error.get_error_domain(), error.get_error_message())
            continue
        calls = {
            "info": conn.getInfo,
            "max vcpus": lambda conn=conn: conn.getMaxVcpus(None),
            "cpu map": lambda conn=conn: conn.getCPUMap(0),
            "cpu stats": lambda conn=conn: sorted(conn.getCPUStats(-1, 0)),
            "cpu 0 stats": lambda conn=conn: sorted(conn.getCPUStats(0, 0)),
            "free pages": lambda conn=conn: conn.getFreePages([4], 0, 1, 0),
            "capabilities": conn.getCapabilities,
            "free memory": conn.getFreeMemory,
        }
        for label, step in calls.items():
            attempt(f"{name} {label}", step)
        conn.close()
