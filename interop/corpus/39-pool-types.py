# Pools of several types: defined, listed with each type filter, started, read back.
import sys

import libvirt

libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
conn = libvirt.open(sys.argv[1])
POOLS = [
    "<pool type='netfs'><name>nfs</name><source><host name='nfs.example.com'/><dir path='/export//images/'/>"
    "<format type='nfs'/></source><target><path>/mnt/nfs</path></target></pool>",
    "<pool type='logical'><name>vg0</name><source><device path='/dev/sdb1'/></source></pool>",
    "<pool type='disk'><name>sdc</name><source><device path='/dev/sdc'/><format type='gpt'/></source>"
    "<target><path>/dev</path></target></pool>",
    "<pool type='iscsi'><name>san</name><source><host name='san.example.com' port='3260'/>"
    "<device path='iqn.2024-01.com.example:storage'/><initiator><iqn name='iqn.2024-01.com.example:client'/>"
    "</initiator></source><target><path>/dev/disk/by-path</path></target></pool>",
    "<pool type='rbd'><name>ceph</name><source><host name='mon.example.com'/><name>rbdpool</name>"
    "<auth type='ceph' username='admin'><secret usage='ceph-secret'/></auth></source></pool>",
    "<pool type='zfs'><name>tank</name><source><name>tank</name></source></pool>",
]
for xml in POOLS:
    try:
        pool = conn.storagePoolDefineXML(xml)
        print(pool.name(), pool.XMLDesc(0))
    except libvirt.libvirtError as error:
        print("define", error.get_error_code(), error.get_error_domain(), error.get_error_message())
for name in ("DIR", "FS", "NETFS", "LOGICAL", "DISK", "ISCSI", "SCSI", "MPATH", "RBD", "SHEEPDOG", "GLUSTER", "ZFS"):
    flag = getattr(libvirt, "VIR_CONNECT_LIST_STORAGE_POOLS_" + name)
    print(name, sorted(pool.name() for pool in conn.listAllStoragePools(flag)))
for name in ("nfs", "vg0", "ceph"):
    pool = conn.storagePoolLookupByName(name)
    pool.create()
    print(name, pool.info(), pool.XMLDesc(0))
    pool.destroy()
    pool.undefine()
for name in ("sdc", "san", "tank"):
    conn.storagePoolLookupByName(name).undefine()
