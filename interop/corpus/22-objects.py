import sys

import libvirt

conn = libvirt.open(sys.argv[1])
print(conn.getType(), conn.getVersion(), conn.getLibVersion(), conn.isAlive(), conn.isSecure(), conn.isEncrypted())
print(conn.getInfo(), conn.getMaxVcpus(None), conn.getFreeMemory(), conn.getCellsFreeMemory(0, 2))
print(conn.numOfDomains(), conn.numOfDefinedDomains(), conn.listDomainsID(), conn.listDefinedDomains())
print(conn.numOfNetworks(), conn.listNetworks(), conn.numOfStoragePools(), conn.listStoragePools())
print(conn.numOfInterfaces(), conn.listInterfaces())
dom = conn.lookupByID(1)
print(dom.name(), dom.ID(), dom.UUIDString(), dom.OSType(), dom.maxMemory(), dom.maxVcpus(), dom.info()[:4])
print(dom.isActive(), dom.isPersistent(), dom.isUpdated(), dom.autostart(), dom.hasManagedSaveImage(0))
print(dom.state(), dom.securityLabel(), conn.getSecurityModel(), dom.vcpusFlags(0))
print([d.name() for d in conn.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)])
print([n.name() for n in conn.listAllNetworks()], [p.name() for p in conn.listAllStoragePools()])
print([i.name() for i in conn.listAllInterfaces()])
pool = conn.storagePoolLookupByName("default-pool")
print(pool.info(), pool.isActive(), pool.isPersistent(), pool.autostart(), pool.numOfVolumes(), pool.listVolumes())
net = conn.networkLookupByName("default")
print(net.bridgeName(), net.isActive(), net.isPersistent(), net.autostart(), net.UUIDString())
for call in (
    lambda: conn.lookupByName("x"),
    lambda: conn.networkLookupByName("x"),
    lambda: conn.storagePoolLookupByName("x"),
    lambda: conn.interfaceLookupByName("x"),
    lambda: conn.nodeDeviceLookupByName("x"),
    lambda: conn.lookupByUUIDString("6695eb01-f6a4-8304-79aa-000000000000"),
):
    try:
        call()
    except libvirt.libvirtError as error:
        print(error.get_error_code(), error.get_error_domain(), error.get_error_message())
