# uri: test:///default
# read-only: yes
# Every network, pool, volume, interface, node device and host call on a read-only
# connection: which ones it refuses, and which it still answers (getters, XML with and
# without secure flags, lookups).
import sys

import libvirt
from steps import attempt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])


net = conn.networkLookupByName("default")
pool = conn.storagePoolLookupByName("default-pool")
iface = conn.interfaceLookupByName("eth1")
dev = conn.nodeDeviceLookupByName("scsi_host1")
NET = "<network><name>ro</name></network>"
POOL = "<pool type='dir'><name>ro</name><target><path>/ro</path></target></pool>"
VOL = "<volume><name>ro</name><capacity>1</capacity></volume>"
IFACE = "<interface type='ethernet' name='ro0'/>"
VHBA = (
    "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'>"
    "<wwnn>2000000012345678</wwnn><wwpn>1000000012345678</wwpn></capability></capability></device>"
)
CALLS = {
    "net xml": lambda: net.XMLDesc(0),
    "net xml inactive": lambda: net.XMLDesc(1),
    "net bridge": net.bridgeName,
    "net autostart": net.autostart,
    "net set autostart": lambda: net.setAutostart(1),
    "net define": lambda: conn.networkDefineXML(NET),
    "net create": lambda: conn.networkCreateXML(NET),
    "net destroy": net.destroy,
    "net create existing": net.create,
    "net undefine": net.undefine,
    "net update": lambda: net.update(1, 4, -1, "<host mac='52:54:00:00:00:99' ip='192.168.122.99'/>", 0),
    "net leases": lambda: net.DHCPLeases(None, 0),
    "net ports": lambda: net.listAllPorts(0),
    "net port create": lambda: net.portCreateXML("<networkport/>", 0),
    "nets": lambda: sorted(n.name() for n in conn.listAllNetworks(0)),
    "pool xml": lambda: pool.XMLDesc(0),
    "pool info": pool.info,
    "pool autostart": pool.autostart,
    "pool set autostart": lambda: pool.setAutostart(0),
    "pool define": lambda: conn.storagePoolDefineXML(POOL, 0),
    "pool create": lambda: conn.storagePoolCreateXML(POOL, 0),
    "pool build": lambda: pool.build(0),
    "pool refresh": lambda: pool.refresh(0),
    "pool destroy": pool.destroy,
    "pool delete": lambda: pool.delete(0),
    "pool undefine": pool.undefine,
    "pool create existing": lambda: pool.create(0),
    "pool volumes": lambda: pool.listAllVolumes(0),
    "vol create": lambda: pool.createXML(VOL, 0),
    "find sources": lambda: conn.findStoragePoolSources("logical", None, 0),
    "pools": lambda: sorted(p.name() for p in conn.listAllStoragePools(0)),
    "iface xml": lambda: iface.XMLDesc(0),
    "iface active": iface.isActive,
    "iface define": lambda: conn.interfaceDefineXML(IFACE, 0),
    "iface undefine": iface.undefine,
    "iface create": lambda: iface.create(0),
    "iface destroy": lambda: iface.destroy(0),
    "iface begin": lambda: conn.changeBegin(0),
    "iface commit": lambda: conn.changeCommit(0),
    "iface rollback": lambda: conn.changeRollback(0),
    "ifaces": lambda: sorted(i.name() for i in conn.listAllInterfaces(0)),
    "dev xml": lambda: dev.XMLDesc(0),
    "dev parent": dev.parent,
    "dev caps": dev.listCaps,
    "dev create": lambda: conn.nodeDeviceCreateXML(VHBA, 0),
    "dev destroy": dev.destroy,
    "dev detach": dev.dettach,
    "dev reset": dev.reset,
    "devs": lambda: sorted(conn.listDevices(None, 0)),
    "alloc pages": lambda: conn.allocPages({2048: 8}, 0, 1, 0),
    "suspend": lambda: conn.suspendForDuration(0, 60, 0),
    "memory parameters": lambda: conn.getMemoryParameters(0),
    "set memory parameters": lambda: conn.setMemoryParameters({"shm_pages_to_scan": 10}, 0),
    "sysinfo": lambda: conn.getSysinfo(0),
    "capabilities": lambda: len(conn.getCapabilities()),
    "cpu map": lambda: conn.getCPUMap(0),
    "cells": lambda: conn.getCellsFreeMemory(0, 2),
    "hostname": conn.getHostname,
    "cpu models": lambda: len(conn.getCPUModelNames("x86_64", 0)),
    "baseline": lambda: conn.baselineCPU(["<cpu><arch>x86_64</arch><model>Westmere</model></cpu>"], 0),
    "secret define": lambda: conn.secretDefineXML("<secret/>", 0),
}
for label, step in CALLS.items():
    attempt(label, step)
