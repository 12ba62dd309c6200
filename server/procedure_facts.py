"""What libvirt's public API does for each procedure: its name, read-only rule, error domain.

Facts read from libvirt 9.0.0's sources (src/libvirt-*.c and the daemon's dispatcher),
written once as data: the public API function a procedure implements (the name clients
see in "not supported by the connection driver: virXxx" and "read only access prevents
virXxx"), when that function refuses a read-only connection, the error domain it
reports with (VIR_FROM_THIS of its file), and which of the daemon's connections it
uses (that decides the "not open" message before CONNECT_OPEN). REMOTE and ADMIN are keyed
by the generated procedure constants; QEMU and LXC by number, so that a daemon serving neither
never loads their generated modules (tests/e2e/test_cold_start.py).
`python3 scripts/libvirt_tables.py --check procedure-facts` checks each entry against
libvirt's sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtrio.protocol.generated import admin, remote

ALWAYS = "always"  # refused on a read-only connection, whatever the arguments


@dataclass(frozen=True, slots=True)
class ReadOnlyFlags:
    """Refused on a read-only connection when (flags & mask) != 0."""

    mask: int


@dataclass(frozen=True, slots=True)
class ReadOnlyArgument:
    """Refused on a read-only connection when the named argument equals the value."""

    argument: str
    value: int


@dataclass(frozen=True, slots=True)
class ProcedureFacts:
    api: str | None  # None for server-to-client event messages
    read_only: str | ReadOnlyFlags | ReadOnlyArgument | None
    error_domain: str  # VIR_FROM_* name
    connection: str | None  # Hypervisor, Network, Storage, NodeDev, Interface, NWFilter, Secret


def _facts(
    api: str | None,
    read_only: str | ReadOnlyFlags | ReadOnlyArgument | None,
    error_domain: str,
    connection: str | None,
) -> ProcedureFacts:
    return ProcedureFacts(api, read_only, error_domain, connection)


REMOTE: dict[int, ProcedureFacts] = {
    remote.REMOTE_PROC_CONNECT_OPEN: _facts("virConnectOpenAuth", None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_CLOSE: _facts("virConnectClose", None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_GET_TYPE: _facts("virConnectGetType", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_GET_VERSION: _facts("virConnectGetVersion", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_GET_MAX_VCPUS: _facts("virConnectGetMaxVcpus", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NODE_GET_INFO: _facts("virNodeGetInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_GET_CAPABILITIES: _facts(
        "virConnectGetCapabilities", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_ATTACH_DEVICE: _facts("virDomainAttachDevice", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_CREATE: _facts("virDomainCreate", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_CREATE_XML: _facts("virDomainCreateXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_DEFINE_XML: _facts("virDomainDefineXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_DESTROY: _facts("virDomainDestroy", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_DETACH_DEVICE: _facts("virDomainDetachDevice", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_XML_DESC: _facts(
        "virDomainGetXMLDesc", ReadOnlyFlags(0x9), "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_AUTOSTART: _facts("virDomainGetAutostart", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_INFO: _facts("virDomainGetInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_MAX_MEMORY: _facts("virDomainGetMaxMemory", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_MAX_VCPUS: _facts("virDomainGetMaxVcpus", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_OS_TYPE: _facts("virDomainGetOSType", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_VCPUS: _facts("virDomainGetVcpus", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS: _facts(
        "virConnectListDefinedDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_ID: _facts("virDomainLookupByID", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME: _facts("virDomainLookupByName", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID: _facts("virDomainLookupByUUID", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS: _facts(
        "virConnectNumOfDefinedDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_PIN_VCPU: _facts("virDomainPinVcpu", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_REBOOT: _facts("virDomainReboot", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_RESUME: _facts("virDomainResume", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_AUTOSTART: _facts("virDomainSetAutostart", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_MAX_MEMORY: _facts("virDomainSetMaxMemory", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_MEMORY: _facts("virDomainSetMemory", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_VCPUS: _facts("virDomainSetVcpus", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SHUTDOWN: _facts("virDomainShutdown", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SUSPEND: _facts("virDomainSuspend", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_UNDEFINE: _facts("virDomainUndefine", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_LIST_DEFINED_NETWORKS: _facts(
        "virConnectListDefinedNetworks", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_DOMAINS: _facts("virConnectListDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_LIST_NETWORKS: _facts("virConnectListNetworks", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_CREATE: _facts("virNetworkCreate", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_CREATE_XML: _facts("virNetworkCreateXML", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_DEFINE_XML: _facts("virNetworkDefineXML", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_DESTROY: _facts("virNetworkDestroy", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_GET_XML_DESC: _facts("virNetworkGetXMLDesc", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_GET_AUTOSTART: _facts("virNetworkGetAutostart", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_GET_BRIDGE_NAME: _facts("virNetworkGetBridgeName", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_LOOKUP_BY_NAME: _facts("virNetworkLookupByName", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_LOOKUP_BY_UUID: _facts("virNetworkLookupByUUID", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_SET_AUTOSTART: _facts("virNetworkSetAutostart", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_UNDEFINE: _facts("virNetworkUndefine", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_CONNECT_NUM_OF_DEFINED_NETWORKS: _facts(
        "virConnectNumOfDefinedNetworks", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_CONNECT_NUM_OF_DOMAINS: _facts("virConnectNumOfDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_NUM_OF_NETWORKS: _facts("virConnectNumOfNetworks", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_DOMAIN_CORE_DUMP: _facts("virDomainCoreDump", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_RESTORE: _facts("virDomainRestore", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SAVE: _facts("virDomainSave", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_SCHEDULER_TYPE: _facts(
        "virDomainGetSchedulerType", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS: _facts(
        "virDomainGetSchedulerParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_SCHEDULER_PARAMETERS: _facts(
        "virDomainSetSchedulerParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_GET_HOSTNAME: _facts("virConnectGetHostname", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE: _facts(
        "virConnectSupportsFeature", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE: _facts(
        "virDomainMigratePrepare", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PERFORM: _facts(
        "virDomainMigratePerform", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_FINISH: _facts("virDomainMigrateFinish", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_BLOCK_STATS: _facts("virDomainBlockStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_INTERFACE_STATS: _facts("virDomainInterfaceStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_AUTH_LIST: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_AUTH_SASL_INIT: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_AUTH_SASL_START: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_AUTH_SASL_STEP: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_AUTH_POLKIT: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_NUM_OF_STORAGE_POOLS: _facts(
        "virConnectNumOfStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_STORAGE_POOLS: _facts(
        "virConnectListStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS: _facts(
        "virConnectNumOfDefinedStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_DEFINED_STORAGE_POOLS: _facts(
        "virConnectListDefinedStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_FIND_STORAGE_POOL_SOURCES: _facts(
        "virConnectFindStoragePoolSources", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_CREATE_XML: _facts(
        "virStoragePoolCreateXML", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_DEFINE_XML: _facts(
        "virStoragePoolDefineXML", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_CREATE: _facts("virStoragePoolCreate", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_BUILD: _facts("virStoragePoolBuild", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_DESTROY: _facts("virStoragePoolDestroy", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_DELETE: _facts("virStoragePoolDelete", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_UNDEFINE: _facts("virStoragePoolUndefine", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_REFRESH: _facts("virStoragePoolRefresh", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME: _facts(
        "virStoragePoolLookupByName", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID: _facts(
        "virStoragePoolLookupByUUID", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME: _facts(
        "virStoragePoolLookupByVolume", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_GET_INFO: _facts("virStoragePoolGetInfo", None, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_GET_XML_DESC: _facts(
        "virStoragePoolGetXMLDesc", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART: _facts(
        "virStoragePoolGetAutostart", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART: _facts(
        "virStoragePoolSetAutostart", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_NUM_OF_VOLUMES: _facts(
        "virStoragePoolNumOfVolumes", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_LIST_VOLUMES: _facts(
        "virStoragePoolListVolumes", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_VOL_CREATE_XML: _facts("virStorageVolCreateXML", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_VOL_DELETE: _facts("virStorageVolDelete", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME: _facts(
        "virStorageVolLookupByName", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY: _facts(
        "virStorageVolLookupByKey", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH: _facts(
        "virStorageVolLookupByPath", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_VOL_GET_INFO: _facts("virStorageVolGetInfo", None, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_VOL_GET_XML_DESC: _facts("virStorageVolGetXMLDesc", None, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_VOL_GET_PATH: _facts("virStorageVolGetPath", None, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_NODE_GET_CELLS_FREE_MEMORY: _facts(
        "virNodeGetCellsFreeMemory", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_GET_FREE_MEMORY: _facts("virNodeGetFreeMemory", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_BLOCK_PEEK: _facts("virDomainBlockPeek", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_MEMORY_PEEK: _facts("virDomainMemoryPeek", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER: _facts(
        "virConnectDomainEventRegisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER: _facts(
        "virConnectDomainEventDeregisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE2: _facts(
        "virDomainMigratePrepare2", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_FINISH2: _facts(
        "virDomainMigrateFinish2", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_GET_URI: _facts("virConnectGetURI", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NODE_NUM_OF_DEVICES: _facts("virNodeNumOfDevices", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_LIST_DEVICES: _facts("virNodeListDevices", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_LOOKUP_BY_NAME: _facts(
        "virNodeDeviceLookupByName", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_GET_XML_DESC: _facts("virNodeDeviceGetXMLDesc", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_GET_PARENT: _facts("virNodeDeviceGetParent", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_NUM_OF_CAPS: _facts("virNodeDeviceNumOfCaps", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_LIST_CAPS: _facts("virNodeDeviceListCaps", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_DETTACH: _facts("virNodeDeviceDettach", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),
    remote.REMOTE_PROC_NODE_DEVICE_RE_ATTACH: _facts("virNodeDeviceReAttach", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),
    remote.REMOTE_PROC_NODE_DEVICE_RESET: _facts("virNodeDeviceReset", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL: _facts(
        "virDomainGetSecurityLabel", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_GET_SECURITY_MODEL: _facts(
        "virNodeGetSecurityModel", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_CREATE_XML: _facts("virNodeDeviceCreateXML", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_DESTROY: _facts("virNodeDeviceDestroy", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM: _facts(
        "virStorageVolCreateXMLFrom", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_NUM_OF_INTERFACES: _facts(
        "virConnectNumOfInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_INTERFACES: _facts(
        "virConnectListInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_INTERFACE_LOOKUP_BY_NAME: _facts(
        "virInterfaceLookupByName", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_INTERFACE_LOOKUP_BY_MAC_STRING: _facts(
        "virInterfaceLookupByMACString", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_INTERFACE_GET_XML_DESC: _facts(
        "virInterfaceGetXMLDesc", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_INTERFACE_DEFINE_XML: _facts("virInterfaceDefineXML", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),
    remote.REMOTE_PROC_INTERFACE_UNDEFINE: _facts("virInterfaceUndefine", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),
    remote.REMOTE_PROC_INTERFACE_CREATE: _facts("virInterfaceCreate", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),
    remote.REMOTE_PROC_INTERFACE_DESTROY: _facts("virInterfaceDestroy", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),
    remote.REMOTE_PROC_CONNECT_DOMAIN_XML_FROM_NATIVE: _facts(
        "virConnectDomainXMLFromNative", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_DOMAIN_XML_TO_NATIVE: _facts(
        "virConnectDomainXMLToNative", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_NUM_OF_DEFINED_INTERFACES: _facts(
        "virConnectNumOfDefinedInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_DEFINED_INTERFACES: _facts(
        "virConnectListDefinedInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_CONNECT_NUM_OF_SECRETS: _facts("virConnectNumOfSecrets", None, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_CONNECT_LIST_SECRETS: _facts("virConnectListSecrets", None, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_LOOKUP_BY_UUID: _facts("virSecretLookupByUUID", None, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_DEFINE_XML: _facts("virSecretDefineXML", ALWAYS, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_GET_XML_DESC: _facts("virSecretGetXMLDesc", None, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_SET_VALUE: _facts("virSecretSetValue", ALWAYS, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_GET_VALUE: _facts("virSecretGetValue", ALWAYS, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_UNDEFINE: _facts("virSecretUndefine", ALWAYS, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_SECRET_LOOKUP_BY_USAGE: _facts("virSecretLookupByUsage", None, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL: _facts(
        "virDomainMigratePrepareTunnel", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_IS_SECURE: _facts("virConnectIsSecure", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_IS_ACTIVE: _facts("virDomainIsActive", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_IS_PERSISTENT: _facts("virDomainIsPersistent", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NETWORK_IS_ACTIVE: _facts("virNetworkIsActive", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_IS_PERSISTENT: _facts("virNetworkIsPersistent", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_STORAGE_POOL_IS_ACTIVE: _facts("virStoragePoolIsActive", None, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT: _facts(
        "virStoragePoolIsPersistent", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_INTERFACE_IS_ACTIVE: _facts("virInterfaceIsActive", None, "VIR_FROM_INTERFACE", "Interface"),
    remote.REMOTE_PROC_CONNECT_GET_LIB_VERSION: _facts(
        "virConnectGetLibVersion", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_COMPARE_CPU: _facts("virConnectCompareCPU", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_MEMORY_STATS: _facts("virDomainMemoryStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_ATTACH_DEVICE_FLAGS: _facts(
        "virDomainAttachDeviceFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_DETACH_DEVICE_FLAGS: _facts(
        "virDomainDetachDeviceFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_BASELINE_CPU: _facts("virConnectBaselineCPU", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_JOB_INFO: _facts("virDomainGetJobInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_ABORT_JOB: _facts("virDomainAbortJob", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_STORAGE_VOL_WIPE: _facts("virStorageVolWipe", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME: _facts(
        "virDomainMigrateSetMaxDowntime", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY: _facts(
        "virConnectDomainEventRegisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY: _facts(
        "virConnectDomainEventDeregisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_REBOOT: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_RTC_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_WATCHDOG: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_IO_ERROR: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_GRAPHICS: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_UPDATE_DEVICE_FLAGS: _facts(
        "virDomainUpdateDeviceFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NWFILTER_LOOKUP_BY_NAME: _facts(
        "virNWFilterLookupByName", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_NWFILTER_LOOKUP_BY_UUID: _facts(
        "virNWFilterLookupByUUID", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_NWFILTER_GET_XML_DESC: _facts("virNWFilterGetXMLDesc", None, "VIR_FROM_NWFILTER", "NWFilter"),
    remote.REMOTE_PROC_CONNECT_NUM_OF_NWFILTERS: _facts(
        "virConnectNumOfNWFilters", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_NWFILTERS: _facts("virConnectListNWFilters", None, "VIR_FROM_NWFILTER", "NWFilter"),
    remote.REMOTE_PROC_NWFILTER_DEFINE_XML: _facts("virNWFilterDefineXML", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),
    remote.REMOTE_PROC_NWFILTER_UNDEFINE: _facts("virNWFilterUndefine", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),
    remote.REMOTE_PROC_DOMAIN_MANAGED_SAVE: _facts("virDomainManagedSave", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE: _facts(
        "virDomainHasManagedSaveImage", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE: _facts(
        "virDomainManagedSaveRemove", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_CREATE_XML: _facts(
        "virDomainSnapshotCreateXML", ALWAYS, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_GET_XML_DESC: _facts(
        "virDomainSnapshotGetXMLDesc", ReadOnlyFlags(0x1), "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_NUM: _facts(
        "virDomainSnapshotNum", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_NAMES: _facts(
        "virDomainSnapshotListNames", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: _facts(
        "virDomainSnapshotLookupByName", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_HAS_CURRENT_SNAPSHOT: _facts(
        "virDomainHasCurrentSnapshot", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_CURRENT: _facts(
        "virDomainSnapshotCurrent", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_REVERT_TO_SNAPSHOT: _facts(
        "virDomainRevertToSnapshot", ALWAYS, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_DELETE: _facts(
        "virDomainSnapshotDelete", ALWAYS, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_BLOCK_INFO: _facts("virDomainGetBlockInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_IO_ERROR_REASON: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS: _facts(
        "virDomainCreateWithFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_MEMORY_PARAMETERS: _facts(
        "virDomainSetMemoryParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS: _facts(
        "virDomainGetMemoryParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_VCPUS_FLAGS: _facts(
        "virDomainSetVcpusFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS: _facts(
        "virDomainGetVcpusFlags", ReadOnlyFlags(0x8), "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_OPEN_CONSOLE: _facts("virDomainOpenConsole", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_IS_UPDATED: _facts("virDomainIsUpdated", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_GET_SYSINFO: _facts("virConnectGetSysinfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_MEMORY_FLAGS: _facts(
        "virDomainSetMemoryFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_BLKIO_PARAMETERS: _facts(
        "virDomainSetBlkioParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS: _facts(
        "virDomainGetBlkioParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED: _facts(
        "virDomainMigrateSetMaxSpeed", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_STORAGE_VOL_UPLOAD: _facts("virStorageVolUpload", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_STORAGE_VOL_DOWNLOAD: _facts("virStorageVolDownload", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_DOMAIN_INJECT_NMI: _facts("virDomainInjectNMI", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SCREENSHOT: _facts("virDomainScreenshot", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_STATE: _facts("virDomainGetState", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3: _facts("virDomainMigrateBegin3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3: _facts(
        "virDomainMigratePrepare3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3: _facts(
        "virDomainMigratePrepareTunnel3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3: _facts(
        "virDomainMigratePerform3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_FINISH3: _facts(
        "virDomainMigrateFinish3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3: _facts(
        "virDomainMigrateConfirm3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS: _facts(
        "virDomainSetSchedulerParametersFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_INTERFACE_CHANGE_BEGIN: _facts(
        "virInterfaceChangeBegin", ALWAYS, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_INTERFACE_CHANGE_COMMIT: _facts(
        "virInterfaceChangeCommit", ALWAYS, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_INTERFACE_CHANGE_ROLLBACK: _facts(
        "virInterfaceChangeRollback", ALWAYS, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS: _facts(
        "virDomainGetSchedulerParametersFlags", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_CONTROL_ERROR: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_PIN_VCPU_FLAGS: _facts("virDomainPinVcpuFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SEND_KEY: _facts("virDomainSendKey", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NODE_GET_CPU_STATS: _facts("virNodeGetCPUStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NODE_GET_MEMORY_STATS: _facts("virNodeGetMemoryStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_CONTROL_INFO: _facts(
        "virDomainGetControlInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO: _facts(
        "virDomainGetVcpuPinInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS: _facts("virDomainUndefineFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SAVE_FLAGS: _facts("virDomainSaveFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_RESTORE_FLAGS: _facts("virDomainRestoreFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_DESTROY_FLAGS: _facts("virDomainDestroyFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SAVE_IMAGE_GET_XML_DESC: _facts(
        "virDomainSaveImageGetXMLDesc", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SAVE_IMAGE_DEFINE_XML: _facts(
        "virDomainSaveImageDefineXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_JOB_ABORT: _facts(
        "virDomainBlockJobAbort", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO: _facts(
        "virDomainGetBlockJobInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_JOB_SET_SPEED: _facts(
        "virDomainBlockJobSetSpeed", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_PULL: _facts("virDomainBlockPull", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED: _facts(
        "virDomainMigrateGetMaxSpeed", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS: _facts(
        "virDomainBlockStatsFlags", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_GET_PARENT: _facts(
        "virDomainSnapshotGetParent", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_RESET: _facts("virDomainReset", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_NUM_CHILDREN: _facts(
        "virDomainSnapshotNumChildren", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES: _facts(
        "virDomainSnapshotListChildrenNames", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_DISK_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_OPEN_GRAPHICS: _facts("virDomainOpenGraphics", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NODE_SUSPEND_FOR_DURATION: _facts(
        "virNodeSuspendForDuration", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_RESIZE: _facts("virDomainBlockResize", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_BLOCK_IO_TUNE: _facts(
        "virDomainSetBlockIoTune", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_BLOCK_IO_TUNE: _facts(
        "virDomainGetBlockIoTune", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_NUMA_PARAMETERS: _facts(
        "virDomainSetNumaParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_NUMA_PARAMETERS: _facts(
        "virDomainGetNumaParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_INTERFACE_PARAMETERS: _facts(
        "virDomainSetInterfaceParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS: _facts(
        "virDomainGetInterfaceParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS: _facts("virDomainShutdownFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_STORAGE_VOL_WIPE_PATTERN: _facts(
        "virStorageVolWipePattern", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_VOL_RESIZE: _facts("virStorageVolResize", ALWAYS, "VIR_FROM_STORAGE", "Storage"),
    remote.REMOTE_PROC_DOMAIN_PM_SUSPEND_FOR_DURATION: _facts(
        "virDomainPMSuspendForDuration", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_CPU_STATS: _facts("virDomainGetCPUStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_DISK_ERRORS: _facts("virDomainGetDiskErrors", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_METADATA: _facts("virDomainSetMetadata", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_METADATA: _facts("virDomainGetMetadata", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_BLOCK_REBASE: _facts("virDomainBlockRebase", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_PM_WAKEUP: _facts("virDomainPMWakeup", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_TRAY_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_PMWAKEUP: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_PMSUSPEND: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_IS_CURRENT: _facts(
        "virDomainSnapshotIsCurrent", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_HAS_METADATA: _facts(
        "virDomainSnapshotHasMetadata", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS: _facts(
        "virConnectListAllDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_LIST_ALL_SNAPSHOTS: _facts(
        "virDomainListAllSnapshots", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN: _facts(
        "virDomainSnapshotListAllChildren", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_BALLOON_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_GET_HOSTNAME: _facts("virDomainGetHostname", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL_LIST: _facts(
        "virDomainGetSecurityLabelList", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_PIN_EMULATOR: _facts("virDomainPinEmulator", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO: _facts(
        "virDomainGetEmulatorPinInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS: _facts(
        "virConnectListAllStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES: _facts(
        "virStoragePoolListAllVolumes", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NETWORKS: _facts(
        "virConnectListAllNetworks", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_INTERFACES: _facts(
        "virConnectListAllInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES: _facts(
        "virConnectListAllNodeDevices", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NWFILTERS: _facts(
        "virConnectListAllNWFilters", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_SECRETS: _facts("virConnectListAllSecrets", None, "VIR_FROM_SECRET", "Secret"),
    remote.REMOTE_PROC_NODE_SET_MEMORY_PARAMETERS: _facts(
        "virNodeSetMemoryParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_GET_MEMORY_PARAMETERS: _facts(
        "virNodeGetMemoryParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_COMMIT: _facts("virDomainBlockCommit", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NETWORK_UPDATE: _facts("virNetworkUpdate", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_DOMAIN_EVENT_PMSUSPEND_DISK: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_NODE_GET_CPU_MAP: _facts("virNodeGetCPUMap", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_FSTRIM: _facts("virDomainFSTrim", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SEND_PROCESS_SIGNAL: _facts(
        "virDomainSendProcessSignal", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_OPEN_CHANNEL: _facts("virDomainOpenChannel", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN: _facts(
        "virNodeDeviceLookupSCSIHostByWWN", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_JOB_STATS: _facts("virDomainGetJobStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_GET_COMPRESSION_CACHE: _facts(
        "virDomainMigrateGetCompressionCache", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_SET_COMPRESSION_CACHE: _facts(
        "virDomainMigrateSetCompressionCache", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_DETACH_FLAGS: _facts(
        "virNodeDeviceDetachFlags", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS: _facts(
        "virDomainMigrateBegin3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS: _facts(
        "virDomainMigratePrepare3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS: _facts(
        "virDomainMigratePrepareTunnel3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS: _facts(
        "virDomainMigratePerform3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS: _facts(
        "virDomainMigrateFinish3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS: _facts(
        "virDomainMigrateConfirm3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_MEMORY_STATS_PERIOD: _facts(
        "virDomainSetMemoryStatsPeriod", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CREATE_XML_WITH_FILES: _facts(
        "virDomainCreateXMLWithFiles", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CREATE_WITH_FILES: _facts(
        "virDomainCreateWithFiles", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_DEVICE_REMOVED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_GET_CPU_MODEL_NAMES: _facts(
        "virConnectGetCPUModelNames", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY: _facts(
        "virConnectNetworkEventRegisterAny", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY: _facts(
        "virConnectNetworkEventDeregisterAny", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NETWORK_EVENT_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: _facts(
        "virConnectDomainEventRegisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: _facts(
        "virConnectDomainEventDeregisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_CONTROL_ERROR: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DISK_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_CORE_DUMP_WITH_FORMAT: _facts(
        "virDomainCoreDumpWithFormat", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_FSFREEZE: _facts("virDomainFSFreeze", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_FSTHAW: _facts("virDomainFSThaw", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_TIME: _facts("virDomainGetTime", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_TIME: _facts("virDomainSetTime", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_NODE_GET_FREE_PAGES: _facts("virNodeGetFreePages", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_NETWORK_GET_DHCP_LEASES: _facts("virNetworkGetDHCPLeases", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES: _facts(
        "virConnectGetDomainCapabilities", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_OPEN_GRAPHICS_FD: _facts(
        "virDomainOpenGraphicsFD", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS: _facts(
        "virConnectGetAllDomainStats", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BLOCK_COPY: _facts("virDomainBlockCopy", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TUNABLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_NODE_ALLOC_PAGES: _facts("virNodeAllocPages", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_GET_FSINFO: _facts("virDomainGetFSInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS: _facts(
        "virDomainDefineXMLFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO: _facts(
        "virDomainGetIOThreadInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_PIN_IOTHREAD: _facts("virDomainPinIOThread", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES: _facts(
        "virDomainInterfaceAddresses", ReadOnlyArgument("source", 1), "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_ADD_IOTHREAD: _facts("virDomainAddIOThread", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_DEL_IOTHREAD: _facts("virDomainDelIOThread", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_USER_PASSWORD: _facts(
        "virDomainSetUserPassword", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_RENAME: _facts("virDomainRename", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK: _facts(
        "virConnectRegisterCloseCallback", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK: _facts(
        "virConnectUnregisterCloseCallback", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY: _facts(
        "virDomainMigrateStartPostCopy", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_PERF_EVENTS: _facts("virDomainGetPerfEvents", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_SET_PERF_EVENTS: _facts(
        "virDomainSetPerfEvents", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY: _facts(
        "virConnectStoragePoolEventRegisterAny", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY: _facts(
        "virConnectStoragePoolEventDeregisterAny", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_GET_GUEST_VCPUS: _facts(
        "virDomainGetGuestVcpus", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_GUEST_VCPUS: _facts(
        "virDomainSetGuestVcpus", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY: _facts(
        "virConnectNodeDeviceEventRegisterAny", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY: _facts(
        "virConnectNodeDeviceEventDeregisterAny", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_NODE_DEVICE_EVENT_UPDATE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_STORAGE_VOL_GET_INFO_FLAGS: _facts(
        "virStorageVolGetInfoFlags", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY: _facts(
        "virConnectSecretEventRegisterAny", None, "VIR_FROM_SECRET", "Secret"
    ),
    remote.REMOTE_PROC_CONNECT_SECRET_EVENT_DEREGISTER_ANY: _facts(
        "virConnectSecretEventDeregisterAny", None, "VIR_FROM_SECRET", "Secret"
    ),
    remote.REMOTE_PROC_SECRET_EVENT_LIFECYCLE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_SET_VCPU: _facts("virDomainSetVcpu", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_EVENT_BLOCK_THRESHOLD: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_SET_BLOCK_THRESHOLD: _facts(
        "virDomainSetBlockThreshold", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME: _facts(
        "virDomainMigrateGetMaxDowntime", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MANAGED_SAVE_GET_XML_DESC: _facts(
        "virDomainManagedSaveGetXMLDesc", ReadOnlyFlags(0x1), "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_MANAGED_SAVE_DEFINE_XML: _facts(
        "virDomainManagedSaveDefineXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_LIFECYCLE_ACTION: _facts(
        "virDomainSetLifecycleAction", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_TARGET_PATH: _facts(
        "virStoragePoolLookupByTargetPath", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_DOMAIN_DETACH_DEVICE_ALIAS: _facts(
        "virDomainDetachDeviceAlias", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_COMPARE_HYPERVISOR_CPU: _facts(
        "virConnectCompareHypervisorCPU", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_BASELINE_HYPERVISOR_CPU: _facts(
        "virConnectBaselineHypervisorCPU", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_GET_SEV_INFO: _facts("virNodeGetSEVInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_GET_LAUNCH_SECURITY_INFO: _facts(
        "virDomainGetLaunchSecurityInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NWFILTER_BINDING_LOOKUP_BY_PORT_DEV: _facts(
        "virNWFilterBindingLookupByPortDev", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_NWFILTER_BINDING_GET_XML_DESC: _facts(
        "virNWFilterBindingGetXMLDesc", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_NWFILTER_BINDING_CREATE_XML: _facts(
        "virNWFilterBindingCreateXML", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_NWFILTER_BINDING_DELETE: _facts(
        "virNWFilterBindingDelete", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_CONNECT_LIST_ALL_NWFILTER_BINDINGS: _facts(
        "virConnectListAllNWFilterBindings", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_DOMAIN_SET_IOTHREAD_PARAMS: _facts(
        "virDomainSetIOThreadParams", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_CONNECT_GET_STORAGE_POOL_CAPABILITIES: _facts(
        "virConnectGetStoragePoolCapabilities", None, "VIR_FROM_STORAGE", "Storage"
    ),
    remote.REMOTE_PROC_NETWORK_LIST_ALL_PORTS: _facts("virNetworkListAllPorts", None, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_NETWORK_PORT_LOOKUP_BY_UUID: _facts(
        "virNetworkPortLookupByUUID", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NETWORK_PORT_CREATE_XML: _facts(
        "virNetworkPortCreateXML", ALWAYS, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NETWORK_PORT_GET_PARAMETERS: _facts(
        "virNetworkPortGetParameters", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NETWORK_PORT_SET_PARAMETERS: _facts(
        "virNetworkPortSetParameters", ALWAYS, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NETWORK_PORT_GET_XML_DESC: _facts(
        "virNetworkPortGetXMLDesc", None, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NETWORK_PORT_DELETE: _facts("virNetworkPortDelete", ALWAYS, "VIR_FROM_NETWORK", "Network"),
    remote.REMOTE_PROC_DOMAIN_CHECKPOINT_CREATE_XML: _facts(
        "virDomainCheckpointCreateXML", ALWAYS, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CHECKPOINT_GET_XML_DESC: _facts(
        "virDomainCheckpointGetXMLDesc", ReadOnlyFlags(0x1), "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_LIST_ALL_CHECKPOINTS: _facts(
        "virDomainListAllCheckpoints", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN: _facts(
        "virDomainCheckpointListAllChildren", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME: _facts(
        "virDomainCheckpointLookupByName", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CHECKPOINT_GET_PARENT: _facts(
        "virDomainCheckpointGetParent", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_CHECKPOINT_DELETE: _facts(
        "virDomainCheckpointDelete", ALWAYS, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_GUEST_INFO: _facts("virDomainGetGuestInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_CONNECT_SET_IDENTITY: _facts("virConnectSetIdentity", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_AGENT_SET_RESPONSE_TIMEOUT: _facts(
        "virDomainAgentSetResponseTimeout", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_BACKUP_BEGIN: _facts("virDomainBackupBegin", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_BACKUP_GET_XML_DESC: _facts(
        "virDomainBackupGetXMLDesc", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_MEMORY_FAILURE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_AUTHORIZED_SSH_KEYS_GET: _facts(
        "virDomainAuthorizedSSHKeysGet", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_AUTHORIZED_SSH_KEYS_SET: _facts(
        "virDomainAuthorizedSSHKeysSet", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_GET_MESSAGES: _facts("virDomainGetMessages", None, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_START_DIRTY_RATE_CALC: _facts(
        "virDomainStartDirtyRateCalc", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_DEFINE_XML: _facts("virNodeDeviceDefineXML", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_UNDEFINE: _facts("virNodeDeviceUndefine", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NODE_DEVICE_CREATE: _facts("virNodeDeviceCreate", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NWFILTER_DEFINE_XML_FLAGS: _facts(
        "virNWFilterDefineXMLFlags", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"
    ),
    remote.REMOTE_PROC_NETWORK_DEFINE_XML_FLAGS: _facts(
        "virNetworkDefineXMLFlags", ALWAYS, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_GET_AUTOSTART: _facts(
        "virNodeDeviceGetAutostart", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_SET_AUTOSTART: _facts(
        "virNodeDeviceSetAutostart", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_IS_PERSISTENT: _facts(
        "virNodeDeviceIsPersistent", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),
    remote.REMOTE_PROC_NODE_DEVICE_IS_ACTIVE: _facts("virNodeDeviceIsActive", None, "VIR_FROM_NODEDEV", "NodeDev"),
    remote.REMOTE_PROC_NETWORK_CREATE_XML_FLAGS: _facts(
        "virNetworkCreateXMLFlags", ALWAYS, "VIR_FROM_NETWORK", "Network"
    ),
    remote.REMOTE_PROC_DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE: _facts(None, None, "VIR_FROM_NONE", None),
    remote.REMOTE_PROC_DOMAIN_SET_LAUNCH_SECURITY_STATE: _facts(
        "virDomainSetLaunchSecurityState", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_SAVE_PARAMS: _facts("virDomainSaveParams", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_RESTORE_PARAMS: _facts("virDomainRestoreParams", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
    remote.REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS: _facts(
        "virDomainAbortJobFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),
    remote.REMOTE_PROC_DOMAIN_FD_ASSOCIATE: _facts("virDomainFDAssociate", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),
}

QEMU: dict[int, ProcedureFacts] = {
    1: _facts("virDomainQemuMonitorCommand", ALWAYS, "VIR_FROM_NONE", "Hypervisor"),  # DOMAIN_MONITOR_COMMAND
    2: _facts("virDomainQemuAttach", ALWAYS, "VIR_FROM_NONE", "Hypervisor"),  # DOMAIN_ATTACH
    3: _facts("virDomainQemuAgentCommand", ALWAYS, "VIR_FROM_NONE", "Hypervisor"),  # DOMAIN_AGENT_COMMAND
    4: _facts(
        "virConnectDomainQemuMonitorEventRegister", ALWAYS, "VIR_FROM_NONE", "Hypervisor"
    ),  # CONNECT_DOMAIN_MONITOR_EVENT_REGISTER
    5: _facts(
        "virConnectDomainQemuMonitorEventDeregister", ALWAYS, "VIR_FROM_NONE", "Hypervisor"
    ),  # CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER
    6: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_MONITOR_EVENT
    7: _facts(
        "virDomainQemuMonitorCommandWithFiles", ALWAYS, "VIR_FROM_NONE", "Hypervisor"
    ),  # DOMAIN_MONITOR_COMMAND_WITH_FILES
}

LXC: dict[int, ProcedureFacts] = {
    1: _facts("virDomainLxcOpenNamespace", ALWAYS, "VIR_FROM_NONE", "Hypervisor"),  # DOMAIN_OPEN_NAMESPACE
}

ADMIN: dict[int, ProcedureFacts] = {
    admin.ADMIN_PROC_CONNECT_OPEN: _facts("virAdmConnectOpen", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CONNECT_CLOSE: _facts("virAdmConnectClose", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CONNECT_GET_LIB_VERSION: _facts("virAdmConnectGetLibVersion", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CONNECT_LIST_SERVERS: _facts("virAdmConnectListServers", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CONNECT_LOOKUP_SERVER: _facts("virAdmConnectLookupServer", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_SERVER_GET_THREADPOOL_PARAMETERS: _facts(
        "virAdmServerGetThreadPoolParameters", None, "VIR_FROM_ADMIN", None
    ),
    admin.ADMIN_PROC_SERVER_SET_THREADPOOL_PARAMETERS: _facts(
        "virAdmServerSetThreadPoolParameters", None, "VIR_FROM_ADMIN", None
    ),
    admin.ADMIN_PROC_SERVER_LIST_CLIENTS: _facts("virAdmServerListClients", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_SERVER_LOOKUP_CLIENT: _facts("virAdmServerLookupClient", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CLIENT_GET_INFO: _facts("virAdmClientGetInfo", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CLIENT_CLOSE: _facts("virAdmClientClose", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_SERVER_GET_CLIENT_LIMITS: _facts("virAdmServerGetClientLimits", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_SERVER_SET_CLIENT_LIMITS: _facts("virAdmServerSetClientLimits", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS: _facts(
        "virAdmConnectGetLoggingOutputs", None, "VIR_FROM_ADMIN", None
    ),
    admin.ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS: _facts(
        "virAdmConnectGetLoggingFilters", None, "VIR_FROM_ADMIN", None
    ),
    admin.ADMIN_PROC_CONNECT_SET_LOGGING_OUTPUTS: _facts(
        "virAdmConnectSetLoggingOutputs", None, "VIR_FROM_ADMIN", None
    ),
    admin.ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS: _facts(
        "virAdmConnectSetLoggingFilters", None, "VIR_FROM_ADMIN", None
    ),
    admin.ADMIN_PROC_SERVER_UPDATE_TLS_FILES: _facts("virAdmServerUpdateTlsFiles", None, "VIR_FROM_ADMIN", None),
    admin.ADMIN_PROC_CONNECT_SET_DAEMON_TIMEOUT: _facts("virAdmConnectSetDaemonTimeout", None, "VIR_FROM_ADMIN", None),
}
