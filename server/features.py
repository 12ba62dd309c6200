"""Driver feature numbers clients ask about with CONNECT_SUPPORTS_FEATURE.

libvirt's internal virDrvFeature enum (src/libvirt_internal.h): not part of the public API XML.
Written by scripts/libvirt_tables.py features; do not edit by hand.
"""

MIGRATION_V1 = 1
REMOTE = 2
MIGRATION_V2 = 3
MIGRATION_P2P = 4
MIGRATION_DIRECT = 5
MIGRATION_V3 = 6
MIGRATE_CHANGE_PROTECTION = 7
FD_PASSING = 8
TYPED_PARAM_STRING = 9
PROGRAM_KEEPALIVE = 10
XML_MIGRATABLE = 11
MIGRATION_OFFLINE = 12
MIGRATION_PARAMS = 13
REMOTE_EVENT_CALLBACK = 14
REMOTE_CLOSE_CALLBACK = 15
NETWORK_UPDATE_HAS_CORRECT_ORDER = 16

# Answered 1 by the daemon itself, whatever the driver (remoteDispatchConnectSupportsFeature).
DAEMON_FEATURES = frozenset({FD_PASSING, REMOTE_EVENT_CALLBACK, REMOTE_CLOSE_CALLBACK})
# Answered 1 for every driver (libvirt's virDriverFeatureIsGlobal).
GLOBAL_FEATURES = frozenset({TYPED_PARAM_STRING, NETWORK_UPDATE_HAS_CORRECT_ORDER, FD_PASSING})
