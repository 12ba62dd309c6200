"""What libvirt's public API does for each procedure: its name, read-only rule, error domain.

Facts read from libvirt 9.0.0's sources (src/libvirt-*.c and the daemon's dispatcher),
written once as data: the public API function a procedure implements (the name clients
see in "not supported by the connection driver: virXxx" and "read only access prevents
virXxx"), when that function refuses a read-only connection, the error domain it
reports with (VIR_FROM_THIS of its file), and which of the daemon's connections it
uses (that decides the "not open" message before CONNECT_OPEN).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _facts(api, read_only, error_domain, connection):
    return ProcedureFacts(api, read_only, error_domain, connection)


REMOTE: dict[int, ProcedureFacts] = {
    1: _facts("virConnectOpenAuth", None, "VIR_FROM_NONE", None),  # CONNECT_OPEN
    2: _facts("virConnectClose", None, "VIR_FROM_NONE", None),  # CONNECT_CLOSE
    3: _facts("virConnectGetType", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_TYPE
    4: _facts("virConnectGetVersion", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_VERSION
    5: _facts("virConnectGetMaxVcpus", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_MAX_VCPUS
    6: _facts("virNodeGetInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_INFO
    7: _facts("virConnectGetCapabilities", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_CAPABILITIES
    8: _facts("virDomainAttachDevice", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_ATTACH_DEVICE
    9: _facts("virDomainCreate", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CREATE
    10: _facts("virDomainCreateXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CREATE_XML
    11: _facts("virDomainDefineXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DEFINE_XML
    12: _facts("virDomainDestroy", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DESTROY
    13: _facts("virDomainDetachDevice", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DETACH_DEVICE
    14: _facts("virDomainGetXMLDesc", ReadOnlyFlags(0x9), "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_XML_DESC
    15: _facts("virDomainGetAutostart", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_AUTOSTART
    16: _facts("virDomainGetInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_INFO
    17: _facts("virDomainGetMaxMemory", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_MAX_MEMORY
    18: _facts("virDomainGetMaxVcpus", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_MAX_VCPUS
    19: _facts("virDomainGetOSType", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_OS_TYPE
    20: _facts("virDomainGetVcpus", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_VCPUS
    21: _facts("virConnectListDefinedDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_LIST_DEFINED_DOMAINS
    22: _facts("virDomainLookupByID", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_LOOKUP_BY_ID
    23: _facts("virDomainLookupByName", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_LOOKUP_BY_NAME
    24: _facts("virDomainLookupByUUID", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_LOOKUP_BY_UUID
    25: _facts(
        "virConnectNumOfDefinedDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_NUM_OF_DEFINED_DOMAINS
    26: _facts("virDomainPinVcpu", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_PIN_VCPU
    27: _facts("virDomainReboot", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_REBOOT
    28: _facts("virDomainResume", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_RESUME
    29: _facts("virDomainSetAutostart", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_AUTOSTART
    30: _facts("virDomainSetMaxMemory", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_MAX_MEMORY
    31: _facts("virDomainSetMemory", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_MEMORY
    32: _facts("virDomainSetVcpus", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_VCPUS
    33: _facts("virDomainShutdown", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SHUTDOWN
    34: _facts("virDomainSuspend", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SUSPEND
    35: _facts("virDomainUndefine", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_UNDEFINE
    36: _facts("virConnectListDefinedNetworks", None, "VIR_FROM_NETWORK", "Network"),  # CONNECT_LIST_DEFINED_NETWORKS
    37: _facts("virConnectListDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_LIST_DOMAINS
    38: _facts("virConnectListNetworks", None, "VIR_FROM_NETWORK", "Network"),  # CONNECT_LIST_NETWORKS
    39: _facts("virNetworkCreate", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_CREATE
    40: _facts("virNetworkCreateXML", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_CREATE_XML
    41: _facts("virNetworkDefineXML", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_DEFINE_XML
    42: _facts("virNetworkDestroy", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_DESTROY
    43: _facts("virNetworkGetXMLDesc", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_GET_XML_DESC
    44: _facts("virNetworkGetAutostart", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_GET_AUTOSTART
    45: _facts("virNetworkGetBridgeName", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_GET_BRIDGE_NAME
    46: _facts("virNetworkLookupByName", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_LOOKUP_BY_NAME
    47: _facts("virNetworkLookupByUUID", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_LOOKUP_BY_UUID
    48: _facts("virNetworkSetAutostart", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_SET_AUTOSTART
    49: _facts("virNetworkUndefine", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_UNDEFINE
    50: _facts(
        "virConnectNumOfDefinedNetworks", None, "VIR_FROM_NETWORK", "Network"
    ),  # CONNECT_NUM_OF_DEFINED_NETWORKS
    51: _facts("virConnectNumOfDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_NUM_OF_DOMAINS
    52: _facts("virConnectNumOfNetworks", None, "VIR_FROM_NETWORK", "Network"),  # CONNECT_NUM_OF_NETWORKS
    53: _facts("virDomainCoreDump", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CORE_DUMP
    54: _facts("virDomainRestore", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_RESTORE
    55: _facts("virDomainSave", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SAVE
    56: _facts("virDomainGetSchedulerType", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_SCHEDULER_TYPE
    57: _facts(
        "virDomainGetSchedulerParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_GET_SCHEDULER_PARAMETERS
    58: _facts(
        "virDomainSetSchedulerParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SET_SCHEDULER_PARAMETERS
    59: _facts("virConnectGetHostname", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_HOSTNAME
    60: _facts("virConnectSupportsFeature", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_SUPPORTS_FEATURE
    61: _facts("virDomainMigratePrepare", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_PREPARE
    62: _facts("virDomainMigratePerform", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_PERFORM
    63: _facts("virDomainMigrateFinish", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_FINISH
    64: _facts("virDomainBlockStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_STATS
    65: _facts("virDomainInterfaceStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_INTERFACE_STATS
    66: _facts(None, None, "VIR_FROM_NONE", None),  # AUTH_LIST
    67: _facts(None, None, "VIR_FROM_NONE", None),  # AUTH_SASL_INIT
    68: _facts(None, None, "VIR_FROM_NONE", None),  # AUTH_SASL_START
    69: _facts(None, None, "VIR_FROM_NONE", None),  # AUTH_SASL_STEP
    70: _facts(None, None, "VIR_FROM_NONE", None),  # AUTH_POLKIT
    71: _facts("virConnectNumOfStoragePools", None, "VIR_FROM_STORAGE", "Storage"),  # CONNECT_NUM_OF_STORAGE_POOLS
    72: _facts("virConnectListStoragePools", None, "VIR_FROM_STORAGE", "Storage"),  # CONNECT_LIST_STORAGE_POOLS
    73: _facts(
        "virConnectNumOfDefinedStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),  # CONNECT_NUM_OF_DEFINED_STORAGE_POOLS
    74: _facts(
        "virConnectListDefinedStoragePools", None, "VIR_FROM_STORAGE", "Storage"
    ),  # CONNECT_LIST_DEFINED_STORAGE_POOLS
    75: _facts(
        "virConnectFindStoragePoolSources", ALWAYS, "VIR_FROM_STORAGE", "Storage"
    ),  # CONNECT_FIND_STORAGE_POOL_SOURCES
    76: _facts("virStoragePoolCreateXML", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_CREATE_XML
    77: _facts("virStoragePoolDefineXML", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_DEFINE_XML
    78: _facts("virStoragePoolCreate", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_CREATE
    79: _facts("virStoragePoolBuild", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_BUILD
    80: _facts("virStoragePoolDestroy", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_DESTROY
    81: _facts("virStoragePoolDelete", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_DELETE
    82: _facts("virStoragePoolUndefine", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_UNDEFINE
    83: _facts("virStoragePoolRefresh", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_REFRESH
    84: _facts("virStoragePoolLookupByName", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_LOOKUP_BY_NAME
    85: _facts("virStoragePoolLookupByUUID", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_LOOKUP_BY_UUID
    86: _facts("virStoragePoolLookupByVolume", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_LOOKUP_BY_VOLUME
    87: _facts("virStoragePoolGetInfo", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_GET_INFO
    88: _facts("virStoragePoolGetXMLDesc", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_GET_XML_DESC
    89: _facts("virStoragePoolGetAutostart", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_GET_AUTOSTART
    90: _facts("virStoragePoolSetAutostart", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_SET_AUTOSTART
    91: _facts("virStoragePoolNumOfVolumes", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_NUM_OF_VOLUMES
    92: _facts("virStoragePoolListVolumes", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_LIST_VOLUMES
    93: _facts("virStorageVolCreateXML", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_CREATE_XML
    94: _facts("virStorageVolDelete", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_DELETE
    95: _facts("virStorageVolLookupByName", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_LOOKUP_BY_NAME
    96: _facts("virStorageVolLookupByKey", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_LOOKUP_BY_KEY
    97: _facts("virStorageVolLookupByPath", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_LOOKUP_BY_PATH
    98: _facts("virStorageVolGetInfo", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_GET_INFO
    99: _facts("virStorageVolGetXMLDesc", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_GET_XML_DESC
    100: _facts("virStorageVolGetPath", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_GET_PATH
    101: _facts("virNodeGetCellsFreeMemory", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_CELLS_FREE_MEMORY
    102: _facts("virNodeGetFreeMemory", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_FREE_MEMORY
    103: _facts("virDomainBlockPeek", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_PEEK
    104: _facts("virDomainMemoryPeek", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MEMORY_PEEK
    105: _facts(
        "virConnectDomainEventRegisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_EVENT_REGISTER
    106: _facts(
        "virConnectDomainEventDeregisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_EVENT_DEREGISTER
    107: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_LIFECYCLE
    108: _facts("virDomainMigratePrepare2", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_PREPARE2
    109: _facts("virDomainMigrateFinish2", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_FINISH2
    110: _facts("virConnectGetURI", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_URI
    111: _facts("virNodeNumOfDevices", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_NUM_OF_DEVICES
    112: _facts("virNodeListDevices", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_LIST_DEVICES
    113: _facts("virNodeDeviceLookupByName", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_LOOKUP_BY_NAME
    114: _facts("virNodeDeviceGetXMLDesc", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_GET_XML_DESC
    115: _facts("virNodeDeviceGetParent", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_GET_PARENT
    116: _facts("virNodeDeviceNumOfCaps", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_NUM_OF_CAPS
    117: _facts("virNodeDeviceListCaps", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_LIST_CAPS
    118: _facts("virNodeDeviceDettach", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),  # NODE_DEVICE_DETTACH
    119: _facts("virNodeDeviceReAttach", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),  # NODE_DEVICE_RE_ATTACH
    120: _facts("virNodeDeviceReset", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),  # NODE_DEVICE_RESET
    121: _facts("virDomainGetSecurityLabel", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_SECURITY_LABEL
    122: _facts("virNodeGetSecurityModel", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_SECURITY_MODEL
    123: _facts("virNodeDeviceCreateXML", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_CREATE_XML
    124: _facts("virNodeDeviceDestroy", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_DESTROY
    125: _facts("virStorageVolCreateXMLFrom", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_CREATE_XML_FROM
    126: _facts("virConnectNumOfInterfaces", None, "VIR_FROM_INTERFACE", "Interface"),  # CONNECT_NUM_OF_INTERFACES
    127: _facts("virConnectListInterfaces", None, "VIR_FROM_INTERFACE", "Interface"),  # CONNECT_LIST_INTERFACES
    128: _facts("virInterfaceLookupByName", None, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_LOOKUP_BY_NAME
    129: _facts(
        "virInterfaceLookupByMACString", None, "VIR_FROM_INTERFACE", "Interface"
    ),  # INTERFACE_LOOKUP_BY_MAC_STRING
    130: _facts("virInterfaceGetXMLDesc", None, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_GET_XML_DESC
    131: _facts("virInterfaceDefineXML", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_DEFINE_XML
    132: _facts("virInterfaceUndefine", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_UNDEFINE
    133: _facts("virInterfaceCreate", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_CREATE
    134: _facts("virInterfaceDestroy", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_DESTROY
    135: _facts(
        "virConnectDomainXMLFromNative", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_XML_FROM_NATIVE
    136: _facts("virConnectDomainXMLToNative", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_DOMAIN_XML_TO_NATIVE
    137: _facts(
        "virConnectNumOfDefinedInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),  # CONNECT_NUM_OF_DEFINED_INTERFACES
    138: _facts(
        "virConnectListDefinedInterfaces", None, "VIR_FROM_INTERFACE", "Interface"
    ),  # CONNECT_LIST_DEFINED_INTERFACES
    139: _facts("virConnectNumOfSecrets", None, "VIR_FROM_SECRET", "Secret"),  # CONNECT_NUM_OF_SECRETS
    140: _facts("virConnectListSecrets", None, "VIR_FROM_SECRET", "Secret"),  # CONNECT_LIST_SECRETS
    141: _facts("virSecretLookupByUUID", None, "VIR_FROM_SECRET", "Secret"),  # SECRET_LOOKUP_BY_UUID
    142: _facts("virSecretDefineXML", ALWAYS, "VIR_FROM_SECRET", "Secret"),  # SECRET_DEFINE_XML
    143: _facts("virSecretGetXMLDesc", None, "VIR_FROM_SECRET", "Secret"),  # SECRET_GET_XML_DESC
    144: _facts("virSecretSetValue", ALWAYS, "VIR_FROM_SECRET", "Secret"),  # SECRET_SET_VALUE
    145: _facts("virSecretGetValue", ALWAYS, "VIR_FROM_SECRET", "Secret"),  # SECRET_GET_VALUE
    146: _facts("virSecretUndefine", ALWAYS, "VIR_FROM_SECRET", "Secret"),  # SECRET_UNDEFINE
    147: _facts("virSecretLookupByUsage", None, "VIR_FROM_SECRET", "Secret"),  # SECRET_LOOKUP_BY_USAGE
    148: _facts(
        "virDomainMigratePrepareTunnel", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_PREPARE_TUNNEL
    149: _facts("virConnectIsSecure", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_IS_SECURE
    150: _facts("virDomainIsActive", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_IS_ACTIVE
    151: _facts("virDomainIsPersistent", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_IS_PERSISTENT
    152: _facts("virNetworkIsActive", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_IS_ACTIVE
    153: _facts("virNetworkIsPersistent", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_IS_PERSISTENT
    154: _facts("virStoragePoolIsActive", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_IS_ACTIVE
    155: _facts("virStoragePoolIsPersistent", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_IS_PERSISTENT
    156: _facts("virInterfaceIsActive", None, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_IS_ACTIVE
    157: _facts("virConnectGetLibVersion", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_LIB_VERSION
    158: _facts("virConnectCompareCPU", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_COMPARE_CPU
    159: _facts("virDomainMemoryStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MEMORY_STATS
    160: _facts("virDomainAttachDeviceFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_ATTACH_DEVICE_FLAGS
    161: _facts("virDomainDetachDeviceFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DETACH_DEVICE_FLAGS
    162: _facts("virConnectBaselineCPU", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_BASELINE_CPU
    163: _facts("virDomainGetJobInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_JOB_INFO
    164: _facts("virDomainAbortJob", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_ABORT_JOB
    165: _facts("virStorageVolWipe", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_WIPE
    166: _facts(
        "virDomainMigrateSetMaxDowntime", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_SET_MAX_DOWNTIME
    167: _facts(
        "virConnectDomainEventRegisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_EVENT_REGISTER_ANY
    168: _facts(
        "virConnectDomainEventDeregisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_EVENT_DEREGISTER_ANY
    169: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_REBOOT
    170: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_RTC_CHANGE
    171: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_WATCHDOG
    172: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_IO_ERROR
    173: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_GRAPHICS
    174: _facts("virDomainUpdateDeviceFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_UPDATE_DEVICE_FLAGS
    175: _facts("virNWFilterLookupByName", None, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_LOOKUP_BY_NAME
    176: _facts("virNWFilterLookupByUUID", None, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_LOOKUP_BY_UUID
    177: _facts("virNWFilterGetXMLDesc", None, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_GET_XML_DESC
    178: _facts("virConnectNumOfNWFilters", None, "VIR_FROM_NWFILTER", "NWFilter"),  # CONNECT_NUM_OF_NWFILTERS
    179: _facts("virConnectListNWFilters", None, "VIR_FROM_NWFILTER", "NWFilter"),  # CONNECT_LIST_NWFILTERS
    180: _facts("virNWFilterDefineXML", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_DEFINE_XML
    181: _facts("virNWFilterUndefine", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_UNDEFINE
    182: _facts("virDomainManagedSave", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MANAGED_SAVE
    183: _facts("virDomainHasManagedSaveImage", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_HAS_MANAGED_SAVE_IMAGE
    184: _facts("virDomainManagedSaveRemove", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MANAGED_SAVE_REMOVE
    185: _facts(
        "virDomainSnapshotCreateXML", ALWAYS, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_CREATE_XML
    186: _facts(
        "virDomainSnapshotGetXMLDesc", ReadOnlyFlags(0x1), "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_GET_XML_DESC
    187: _facts("virDomainSnapshotNum", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"),  # DOMAIN_SNAPSHOT_NUM
    188: _facts(
        "virDomainSnapshotListNames", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_LIST_NAMES
    189: _facts(
        "virDomainSnapshotLookupByName", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_LOOKUP_BY_NAME
    190: _facts(
        "virDomainHasCurrentSnapshot", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_HAS_CURRENT_SNAPSHOT
    191: _facts("virDomainSnapshotCurrent", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"),  # DOMAIN_SNAPSHOT_CURRENT
    192: _facts(
        "virDomainRevertToSnapshot", ALWAYS, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_REVERT_TO_SNAPSHOT
    193: _facts("virDomainSnapshotDelete", ALWAYS, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"),  # DOMAIN_SNAPSHOT_DELETE
    194: _facts("virDomainGetBlockInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_BLOCK_INFO
    195: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_IO_ERROR_REASON
    196: _facts("virDomainCreateWithFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CREATE_WITH_FLAGS
    197: _facts(
        "virDomainSetMemoryParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SET_MEMORY_PARAMETERS
    198: _facts("virDomainGetMemoryParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_MEMORY_PARAMETERS
    199: _facts("virDomainSetVcpusFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_VCPUS_FLAGS
    200: _facts(
        "virDomainGetVcpusFlags", ReadOnlyFlags(0x8), "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_GET_VCPUS_FLAGS
    201: _facts("virDomainOpenConsole", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_OPEN_CONSOLE
    202: _facts("virDomainIsUpdated", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_IS_UPDATED
    203: _facts("virConnectGetSysinfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_SYSINFO
    204: _facts("virDomainSetMemoryFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_MEMORY_FLAGS
    205: _facts("virDomainSetBlkioParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_BLKIO_PARAMETERS
    206: _facts("virDomainGetBlkioParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_BLKIO_PARAMETERS
    207: _facts("virDomainMigrateSetMaxSpeed", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_SET_MAX_SPEED
    208: _facts("virStorageVolUpload", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_UPLOAD
    209: _facts("virStorageVolDownload", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_DOWNLOAD
    210: _facts("virDomainInjectNMI", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_INJECT_NMI
    211: _facts("virDomainScreenshot", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SCREENSHOT
    212: _facts("virDomainGetState", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_STATE
    213: _facts("virDomainMigrateBegin3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_BEGIN3
    214: _facts("virDomainMigratePrepare3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_PREPARE3
    215: _facts(
        "virDomainMigratePrepareTunnel3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_PREPARE_TUNNEL3
    216: _facts("virDomainMigratePerform3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_PERFORM3
    217: _facts("virDomainMigrateFinish3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_FINISH3
    218: _facts("virDomainMigrateConfirm3", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_CONFIRM3
    219: _facts(
        "virDomainSetSchedulerParametersFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS
    220: _facts("virInterfaceChangeBegin", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_CHANGE_BEGIN
    221: _facts("virInterfaceChangeCommit", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_CHANGE_COMMIT
    222: _facts("virInterfaceChangeRollback", ALWAYS, "VIR_FROM_INTERFACE", "Interface"),  # INTERFACE_CHANGE_ROLLBACK
    223: _facts(
        "virDomainGetSchedulerParametersFlags", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS
    224: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CONTROL_ERROR
    225: _facts("virDomainPinVcpuFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_PIN_VCPU_FLAGS
    226: _facts("virDomainSendKey", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SEND_KEY
    227: _facts("virNodeGetCPUStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_CPU_STATS
    228: _facts("virNodeGetMemoryStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_MEMORY_STATS
    229: _facts("virDomainGetControlInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_CONTROL_INFO
    230: _facts("virDomainGetVcpuPinInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_VCPU_PIN_INFO
    231: _facts("virDomainUndefineFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_UNDEFINE_FLAGS
    232: _facts("virDomainSaveFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SAVE_FLAGS
    233: _facts("virDomainRestoreFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_RESTORE_FLAGS
    234: _facts("virDomainDestroyFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DESTROY_FLAGS
    235: _facts(
        "virDomainSaveImageGetXMLDesc", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SAVE_IMAGE_GET_XML_DESC
    236: _facts("virDomainSaveImageDefineXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SAVE_IMAGE_DEFINE_XML
    237: _facts("virDomainBlockJobAbort", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_JOB_ABORT
    238: _facts("virDomainGetBlockJobInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_BLOCK_JOB_INFO
    239: _facts("virDomainBlockJobSetSpeed", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_JOB_SET_SPEED
    240: _facts("virDomainBlockPull", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_PULL
    241: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_BLOCK_JOB
    242: _facts("virDomainMigrateGetMaxSpeed", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_MIGRATE_GET_MAX_SPEED
    243: _facts("virDomainBlockStatsFlags", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_STATS_FLAGS
    244: _facts(
        "virDomainSnapshotGetParent", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_GET_PARENT
    245: _facts("virDomainReset", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_RESET
    246: _facts(
        "virDomainSnapshotNumChildren", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_NUM_CHILDREN
    247: _facts(
        "virDomainSnapshotListChildrenNames", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES
    248: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_DISK_CHANGE
    249: _facts("virDomainOpenGraphics", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_OPEN_GRAPHICS
    250: _facts("virNodeSuspendForDuration", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_SUSPEND_FOR_DURATION
    251: _facts("virDomainBlockResize", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_RESIZE
    252: _facts("virDomainSetBlockIoTune", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_BLOCK_IO_TUNE
    253: _facts("virDomainGetBlockIoTune", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_BLOCK_IO_TUNE
    254: _facts("virDomainSetNumaParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_NUMA_PARAMETERS
    255: _facts("virDomainGetNumaParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_NUMA_PARAMETERS
    256: _facts(
        "virDomainSetInterfaceParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SET_INTERFACE_PARAMETERS
    257: _facts(
        "virDomainGetInterfaceParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_GET_INTERFACE_PARAMETERS
    258: _facts("virDomainShutdownFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SHUTDOWN_FLAGS
    259: _facts("virStorageVolWipePattern", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_WIPE_PATTERN
    260: _facts("virStorageVolResize", ALWAYS, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_RESIZE
    261: _facts(
        "virDomainPMSuspendForDuration", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_PM_SUSPEND_FOR_DURATION
    262: _facts("virDomainGetCPUStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_CPU_STATS
    263: _facts("virDomainGetDiskErrors", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_DISK_ERRORS
    264: _facts("virDomainSetMetadata", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_METADATA
    265: _facts("virDomainGetMetadata", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_METADATA
    266: _facts("virDomainBlockRebase", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_REBASE
    267: _facts("virDomainPMWakeup", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_PM_WAKEUP
    268: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_TRAY_CHANGE
    269: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_PMWAKEUP
    270: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_PMSUSPEND
    271: _facts(
        "virDomainSnapshotIsCurrent", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_IS_CURRENT
    272: _facts(
        "virDomainSnapshotHasMetadata", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_HAS_METADATA
    273: _facts("virConnectListAllDomains", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_LIST_ALL_DOMAINS
    274: _facts(
        "virDomainListAllSnapshots", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_LIST_ALL_SNAPSHOTS
    275: _facts(
        "virDomainSnapshotListAllChildren", None, "VIR_FROM_DOMAIN_SNAPSHOT", "Hypervisor"
    ),  # DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN
    276: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_BALLOON_CHANGE
    277: _facts("virDomainGetHostname", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_HOSTNAME
    278: _facts(
        "virDomainGetSecurityLabelList", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_GET_SECURITY_LABEL_LIST
    279: _facts("virDomainPinEmulator", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_PIN_EMULATOR
    280: _facts("virDomainGetEmulatorPinInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_EMULATOR_PIN_INFO
    281: _facts("virConnectListAllStoragePools", None, "VIR_FROM_STORAGE", "Storage"),  # CONNECT_LIST_ALL_STORAGE_POOLS
    282: _facts("virStoragePoolListAllVolumes", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_POOL_LIST_ALL_VOLUMES
    283: _facts("virConnectListAllNetworks", None, "VIR_FROM_NETWORK", "Network"),  # CONNECT_LIST_ALL_NETWORKS
    284: _facts("virConnectListAllInterfaces", None, "VIR_FROM_INTERFACE", "Interface"),  # CONNECT_LIST_ALL_INTERFACES
    285: _facts("virConnectListAllNodeDevices", None, "VIR_FROM_NODEDEV", "NodeDev"),  # CONNECT_LIST_ALL_NODE_DEVICES
    286: _facts("virConnectListAllNWFilters", None, "VIR_FROM_NWFILTER", "NWFilter"),  # CONNECT_LIST_ALL_NWFILTERS
    287: _facts("virConnectListAllSecrets", None, "VIR_FROM_SECRET", "Secret"),  # CONNECT_LIST_ALL_SECRETS
    288: _facts("virNodeSetMemoryParameters", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_SET_MEMORY_PARAMETERS
    289: _facts("virNodeGetMemoryParameters", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_MEMORY_PARAMETERS
    290: _facts("virDomainBlockCommit", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_COMMIT
    291: _facts("virNetworkUpdate", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_UPDATE
    292: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_PMSUSPEND_DISK
    293: _facts("virNodeGetCPUMap", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_CPU_MAP
    294: _facts("virDomainFSTrim", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_FSTRIM
    295: _facts("virDomainSendProcessSignal", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SEND_PROCESS_SIGNAL
    296: _facts("virDomainOpenChannel", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_OPEN_CHANNEL
    297: _facts(
        "virNodeDeviceLookupSCSIHostByWWN", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),  # NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN
    298: _facts("virDomainGetJobStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_JOB_STATS
    299: _facts(
        "virDomainMigrateGetCompressionCache", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_GET_COMPRESSION_CACHE
    300: _facts(
        "virDomainMigrateSetCompressionCache", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_SET_COMPRESSION_CACHE
    301: _facts("virNodeDeviceDetachFlags", ALWAYS, "VIR_FROM_NODEDEV", "Hypervisor"),  # NODE_DEVICE_DETACH_FLAGS
    302: _facts(
        "virDomainMigrateBegin3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_BEGIN3_PARAMS
    303: _facts(
        "virDomainMigratePrepare3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_PREPARE3_PARAMS
    304: _facts(
        "virDomainMigratePrepareTunnel3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS
    305: _facts(
        "virDomainMigratePerform3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_PERFORM3_PARAMS
    306: _facts(
        "virDomainMigrateFinish3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_FINISH3_PARAMS
    307: _facts(
        "virDomainMigrateConfirm3Params", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_CONFIRM3_PARAMS
    308: _facts(
        "virDomainSetMemoryStatsPeriod", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SET_MEMORY_STATS_PERIOD
    309: _facts("virDomainCreateXMLWithFiles", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CREATE_XML_WITH_FILES
    310: _facts("virDomainCreateWithFiles", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CREATE_WITH_FILES
    311: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_DEVICE_REMOVED
    312: _facts("virConnectGetCPUModelNames", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_CPU_MODEL_NAMES
    313: _facts(
        "virConnectNetworkEventRegisterAny", None, "VIR_FROM_NETWORK", "Network"
    ),  # CONNECT_NETWORK_EVENT_REGISTER_ANY
    314: _facts(
        "virConnectNetworkEventDeregisterAny", None, "VIR_FROM_NETWORK", "Network"
    ),  # CONNECT_NETWORK_EVENT_DEREGISTER_ANY
    315: _facts(None, None, "VIR_FROM_NONE", None),  # NETWORK_EVENT_LIFECYCLE
    316: _facts(
        "virConnectDomainEventRegisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY
    317: _facts(
        "virConnectDomainEventDeregisterAny", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY
    318: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_LIFECYCLE
    319: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_REBOOT
    320: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_RTC_CHANGE
    321: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_WATCHDOG
    322: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_IO_ERROR
    323: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_GRAPHICS
    324: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON
    325: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_CONTROL_ERROR
    326: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_BLOCK_JOB
    327: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_DISK_CHANGE
    328: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_TRAY_CHANGE
    329: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_PMWAKEUP
    330: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_PMSUSPEND
    331: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE
    332: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK
    333: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED
    334: _facts("virDomainCoreDumpWithFormat", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_CORE_DUMP_WITH_FORMAT
    335: _facts("virDomainFSFreeze", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_FSFREEZE
    336: _facts("virDomainFSThaw", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_FSTHAW
    337: _facts("virDomainGetTime", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_TIME
    338: _facts("virDomainSetTime", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_TIME
    339: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_BLOCK_JOB_2
    340: _facts("virNodeGetFreePages", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_FREE_PAGES
    341: _facts("virNetworkGetDHCPLeases", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_GET_DHCP_LEASES
    342: _facts(
        "virConnectGetDomainCapabilities", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_GET_DOMAIN_CAPABILITIES
    343: _facts("virDomainOpenGraphicsFD", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_OPEN_GRAPHICS_FD
    344: _facts("virConnectGetAllDomainStats", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_GET_ALL_DOMAIN_STATS
    345: _facts("virDomainBlockCopy", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BLOCK_COPY
    346: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_TUNABLE
    347: _facts("virNodeAllocPages", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_ALLOC_PAGES
    348: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE
    349: _facts("virDomainGetFSInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_FSINFO
    350: _facts("virDomainDefineXMLFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DEFINE_XML_FLAGS
    351: _facts("virDomainGetIOThreadInfo", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_IOTHREAD_INFO
    352: _facts("virDomainPinIOThread", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_PIN_IOTHREAD
    353: _facts(
        "virDomainInterfaceAddresses", ReadOnlyArgument("source", 1), "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_INTERFACE_ADDRESSES
    354: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_DEVICE_ADDED
    355: _facts("virDomainAddIOThread", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_ADD_IOTHREAD
    356: _facts("virDomainDelIOThread", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DEL_IOTHREAD
    357: _facts("virDomainSetUserPassword", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_USER_PASSWORD
    358: _facts("virDomainRename", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_RENAME
    359: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION
    360: _facts(
        "virConnectRegisterCloseCallback", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_REGISTER_CLOSE_CALLBACK
    361: _facts(
        "virConnectUnregisterCloseCallback", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_UNREGISTER_CLOSE_CALLBACK
    362: _facts(None, None, "VIR_FROM_NONE", None),  # CONNECT_EVENT_CONNECTION_CLOSED
    363: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_JOB_COMPLETED
    364: _facts(
        "virDomainMigrateStartPostCopy", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_START_POST_COPY
    365: _facts("virDomainGetPerfEvents", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_PERF_EVENTS
    366: _facts("virDomainSetPerfEvents", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_PERF_EVENTS
    367: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED
    368: _facts(
        "virConnectStoragePoolEventRegisterAny", None, "VIR_FROM_STORAGE", "Storage"
    ),  # CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY
    369: _facts(
        "virConnectStoragePoolEventDeregisterAny", None, "VIR_FROM_STORAGE", "Storage"
    ),  # CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY
    370: _facts(None, None, "VIR_FROM_NONE", None),  # STORAGE_POOL_EVENT_LIFECYCLE
    371: _facts("virDomainGetGuestVcpus", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_GUEST_VCPUS
    372: _facts("virDomainSetGuestVcpus", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_GUEST_VCPUS
    373: _facts(None, None, "VIR_FROM_NONE", None),  # STORAGE_POOL_EVENT_REFRESH
    374: _facts(
        "virConnectNodeDeviceEventRegisterAny", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),  # CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY
    375: _facts(
        "virConnectNodeDeviceEventDeregisterAny", None, "VIR_FROM_NODEDEV", "NodeDev"
    ),  # CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY
    376: _facts(None, None, "VIR_FROM_NONE", None),  # NODE_DEVICE_EVENT_LIFECYCLE
    377: _facts(None, None, "VIR_FROM_NONE", None),  # NODE_DEVICE_EVENT_UPDATE
    378: _facts("virStorageVolGetInfoFlags", None, "VIR_FROM_STORAGE", "Storage"),  # STORAGE_VOL_GET_INFO_FLAGS
    379: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_CALLBACK_METADATA_CHANGE
    380: _facts(
        "virConnectSecretEventRegisterAny", None, "VIR_FROM_SECRET", "Secret"
    ),  # CONNECT_SECRET_EVENT_REGISTER_ANY
    381: _facts(
        "virConnectSecretEventDeregisterAny", None, "VIR_FROM_SECRET", "Secret"
    ),  # CONNECT_SECRET_EVENT_DEREGISTER_ANY
    382: _facts(None, None, "VIR_FROM_NONE", None),  # SECRET_EVENT_LIFECYCLE
    383: _facts(None, None, "VIR_FROM_NONE", None),  # SECRET_EVENT_VALUE_CHANGED
    384: _facts("virDomainSetVcpu", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_VCPU
    385: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_BLOCK_THRESHOLD
    386: _facts("virDomainSetBlockThreshold", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_BLOCK_THRESHOLD
    387: _facts(
        "virDomainMigrateGetMaxDowntime", None, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MIGRATE_GET_MAX_DOWNTIME
    388: _facts(
        "virDomainManagedSaveGetXMLDesc", ReadOnlyFlags(0x1), "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MANAGED_SAVE_GET_XML_DESC
    389: _facts(
        "virDomainManagedSaveDefineXML", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_MANAGED_SAVE_DEFINE_XML
    390: _facts("virDomainSetLifecycleAction", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_LIFECYCLE_ACTION
    391: _facts(
        "virStoragePoolLookupByTargetPath", None, "VIR_FROM_STORAGE", "Storage"
    ),  # STORAGE_POOL_LOOKUP_BY_TARGET_PATH
    392: _facts("virDomainDetachDeviceAlias", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_DETACH_DEVICE_ALIAS
    393: _facts(
        "virConnectCompareHypervisorCPU", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_COMPARE_HYPERVISOR_CPU
    394: _facts(
        "virConnectBaselineHypervisorCPU", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # CONNECT_BASELINE_HYPERVISOR_CPU
    395: _facts("virNodeGetSEVInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # NODE_GET_SEV_INFO
    396: _facts(
        "virDomainGetLaunchSecurityInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_GET_LAUNCH_SECURITY_INFO
    397: _facts(
        "virNWFilterBindingLookupByPortDev", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),  # NWFILTER_BINDING_LOOKUP_BY_PORT_DEV
    398: _facts("virNWFilterBindingGetXMLDesc", None, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_BINDING_GET_XML_DESC
    399: _facts("virNWFilterBindingCreateXML", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_BINDING_CREATE_XML
    400: _facts("virNWFilterBindingDelete", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_BINDING_DELETE
    401: _facts(
        "virConnectListAllNWFilterBindings", None, "VIR_FROM_NWFILTER", "NWFilter"
    ),  # CONNECT_LIST_ALL_NWFILTER_BINDINGS
    402: _facts("virDomainSetIOThreadParams", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SET_IOTHREAD_PARAMS
    403: _facts(
        "virConnectGetStoragePoolCapabilities", None, "VIR_FROM_STORAGE", "Storage"
    ),  # CONNECT_GET_STORAGE_POOL_CAPABILITIES
    404: _facts("virNetworkListAllPorts", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_LIST_ALL_PORTS
    405: _facts("virNetworkPortLookupByUUID", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_PORT_LOOKUP_BY_UUID
    406: _facts("virNetworkPortCreateXML", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_PORT_CREATE_XML
    407: _facts("virNetworkPortGetParameters", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_PORT_GET_PARAMETERS
    408: _facts("virNetworkPortSetParameters", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_PORT_SET_PARAMETERS
    409: _facts("virNetworkPortGetXMLDesc", None, "VIR_FROM_NETWORK", "Network"),  # NETWORK_PORT_GET_XML_DESC
    410: _facts("virNetworkPortDelete", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_PORT_DELETE
    411: _facts(
        "virDomainCheckpointCreateXML", ALWAYS, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_CHECKPOINT_CREATE_XML
    412: _facts(
        "virDomainCheckpointGetXMLDesc", ReadOnlyFlags(0x1), "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_CHECKPOINT_GET_XML_DESC
    413: _facts(
        "virDomainListAllCheckpoints", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_LIST_ALL_CHECKPOINTS
    414: _facts(
        "virDomainCheckpointListAllChildren", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN
    415: _facts(
        "virDomainCheckpointLookupByName", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_CHECKPOINT_LOOKUP_BY_NAME
    416: _facts(
        "virDomainCheckpointGetParent", None, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_CHECKPOINT_GET_PARENT
    417: _facts(
        "virDomainCheckpointDelete", ALWAYS, "VIR_FROM_DOMAIN_CHECKPOINT", "Hypervisor"
    ),  # DOMAIN_CHECKPOINT_DELETE
    418: _facts("virDomainGetGuestInfo", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_GUEST_INFO
    419: _facts("virConnectSetIdentity", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # CONNECT_SET_IDENTITY
    420: _facts(
        "virDomainAgentSetResponseTimeout", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_AGENT_SET_RESPONSE_TIMEOUT
    421: _facts("virDomainBackupBegin", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BACKUP_BEGIN
    422: _facts("virDomainBackupGetXMLDesc", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_BACKUP_GET_XML_DESC
    423: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_MEMORY_FAILURE
    424: _facts(
        "virDomainAuthorizedSSHKeysGet", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_AUTHORIZED_SSH_KEYS_GET
    425: _facts(
        "virDomainAuthorizedSSHKeysSet", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_AUTHORIZED_SSH_KEYS_SET
    426: _facts("virDomainGetMessages", None, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_GET_MESSAGES
    427: _facts("virDomainStartDirtyRateCalc", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_START_DIRTY_RATE_CALC
    428: _facts("virNodeDeviceDefineXML", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_DEFINE_XML
    429: _facts("virNodeDeviceUndefine", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_UNDEFINE
    430: _facts("virNodeDeviceCreate", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_CREATE
    431: _facts("virNWFilterDefineXMLFlags", ALWAYS, "VIR_FROM_NWFILTER", "NWFilter"),  # NWFILTER_DEFINE_XML_FLAGS
    432: _facts("virNetworkDefineXMLFlags", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_DEFINE_XML_FLAGS
    433: _facts("virNodeDeviceGetAutostart", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_GET_AUTOSTART
    434: _facts("virNodeDeviceSetAutostart", ALWAYS, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_SET_AUTOSTART
    435: _facts("virNodeDeviceIsPersistent", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_IS_PERSISTENT
    436: _facts("virNodeDeviceIsActive", None, "VIR_FROM_NODEDEV", "NodeDev"),  # NODE_DEVICE_IS_ACTIVE
    437: _facts("virNetworkCreateXMLFlags", ALWAYS, "VIR_FROM_NETWORK", "Network"),  # NETWORK_CREATE_XML_FLAGS
    438: _facts(None, None, "VIR_FROM_NONE", None),  # DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE
    439: _facts(
        "virDomainSetLaunchSecurityState", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"
    ),  # DOMAIN_SET_LAUNCH_SECURITY_STATE
    440: _facts("virDomainSaveParams", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_SAVE_PARAMS
    441: _facts("virDomainRestoreParams", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_RESTORE_PARAMS
    442: _facts("virDomainAbortJobFlags", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_ABORT_JOB_FLAGS
    443: _facts("virDomainFDAssociate", ALWAYS, "VIR_FROM_DOMAIN", "Hypervisor"),  # DOMAIN_FD_ASSOCIATE
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
    1: _facts("virAdmConnectOpen", None, "VIR_FROM_ADMIN", None),  # CONNECT_OPEN
    2: _facts("virAdmConnectClose", None, "VIR_FROM_ADMIN", None),  # CONNECT_CLOSE
    3: _facts("virAdmConnectGetLibVersion", None, "VIR_FROM_ADMIN", None),  # CONNECT_GET_LIB_VERSION
    4: _facts("virAdmConnectListServers", None, "VIR_FROM_ADMIN", None),  # CONNECT_LIST_SERVERS
    5: _facts("virAdmConnectLookupServer", None, "VIR_FROM_ADMIN", None),  # CONNECT_LOOKUP_SERVER
    6: _facts("virAdmServerGetThreadPoolParameters", None, "VIR_FROM_ADMIN", None),  # SERVER_GET_THREADPOOL_PARAMETERS
    7: _facts("virAdmServerSetThreadPoolParameters", None, "VIR_FROM_ADMIN", None),  # SERVER_SET_THREADPOOL_PARAMETERS
    8: _facts("virAdmServerListClients", None, "VIR_FROM_ADMIN", None),  # SERVER_LIST_CLIENTS
    9: _facts("virAdmServerLookupClient", None, "VIR_FROM_ADMIN", None),  # SERVER_LOOKUP_CLIENT
    10: _facts("virAdmClientGetInfo", None, "VIR_FROM_ADMIN", None),  # CLIENT_GET_INFO
    11: _facts("virAdmClientClose", None, "VIR_FROM_ADMIN", None),  # CLIENT_CLOSE
    12: _facts("virAdmServerGetClientLimits", None, "VIR_FROM_ADMIN", None),  # SERVER_GET_CLIENT_LIMITS
    13: _facts("virAdmServerSetClientLimits", None, "VIR_FROM_ADMIN", None),  # SERVER_SET_CLIENT_LIMITS
    14: _facts("virAdmConnectGetLoggingOutputs", None, "VIR_FROM_ADMIN", None),  # CONNECT_GET_LOGGING_OUTPUTS
    15: _facts("virAdmConnectGetLoggingFilters", None, "VIR_FROM_ADMIN", None),  # CONNECT_GET_LOGGING_FILTERS
    16: _facts("virAdmConnectSetLoggingOutputs", None, "VIR_FROM_ADMIN", None),  # CONNECT_SET_LOGGING_OUTPUTS
    17: _facts("virAdmConnectSetLoggingFilters", None, "VIR_FROM_ADMIN", None),  # CONNECT_SET_LOGGING_FILTERS
    18: _facts("virAdmServerUpdateTlsFiles", None, "VIR_FROM_ADMIN", None),  # SERVER_UPDATE_TLS_FILES
    19: _facts("virAdmConnectSetDaemonTimeout", None, "VIR_FROM_ADMIN", None),  # CONNECT_SET_DAEMON_TIMEOUT
}
