"""Domain procedures of the test driver: lifecycle, definitions, tuning, statistics."""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Callable
from typing import Any

from virtrio.drivers import public_api
from virtrio.drivers.base import STATE_EPOCH, Event, EventFamily, Offload, StreamReply, after_reply
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import LibvirtError, check_flags, internal_error, invalid_argument, report

from . import domain_vcpus, tuning
from .common import (
    ALL_DOMAIN_LIST_FLAGS,
    FROM_TEST,
    MAX_VCPUS,
    TestProcedures,
    _c_chars,
    _domain_matches,
    _nonnull_domain,
    screenshot_source,
)
from .definition_tuning import blkio, blkio_device_lists, drop_vcpu_pins_from, memory_limits, top
from .domain_definition import make_element, metadata_entry, metadata_without_namespace
from .domain_tuning_procedures import validate_params
from .formats import domain_xml
from .large_definitions import (
    METADATA_IN_THREAD_BYTES,
    copied_from_frozen,
    copy_in_thread,
    format_later,
    frozen,
    large_metadata,
)
from .network_definition import NetworkDefinition
from .parse import parse_in_thread, read_domain
from .state import Domain

REBOOT_FLAGS = (
    api.VIR_DOMAIN_REBOOT_DEFAULT
    | api.VIR_DOMAIN_REBOOT_ACPI_POWER_BTN
    | api.VIR_DOMAIN_REBOOT_GUEST_AGENT
    | api.VIR_DOMAIN_REBOOT_INITCTL
    | api.VIR_DOMAIN_REBOOT_SIGNAL
    | api.VIR_DOMAIN_REBOOT_PARAVIRT
)


def network_address(definition: NetworkDefinition, offset: int) -> remote.remote_domain_ip_addr:
    """testDomainInterfaceAddressFromNet: the network's first IP, from its first DHCP range's
    start (or its own address) moved on by offset: an IPv6 one in its last byte alone (it
    wraps there), an IPv4 one as a 32-bit number."""
    ip = definition.ips[0]
    start = ipaddress.ip_address(ip.ranges[0].start if ip.ranges else ip.address)
    prefix = ip.effective_prefix % 2**32  # (an unsigned int in the reply)
    if ip.family == "ipv6":
        packed = bytearray(start.packed)
        packed[15] = (packed[15] + offset) % 256
        moved_v6 = ipaddress.IPv6Address(bytes(packed))
        return remote.remote_domain_ip_addr(api.VIR_IP_ADDR_TYPE_IPV6, str(moved_v6), prefix)
    moved = ipaddress.IPv4Address((int(start) + offset) % 2**32)
    return remote.remote_domain_ip_addr(api.VIR_IP_ADDR_TYPE_IPV4, str(moved), prefix)


class DomainProcedures(TestProcedures):
    # A client that reads back each definition it makes (virt-install, Terraform's provider,
    # test suites) asks for its XML as its very next call. Once such a client has been seen to,
    # the XML is written after the define's reply has gone out, while the client reads it, and
    # handed over if that next call is the XMLDesc (flags 0) and nothing else began, ended or
    # closed in between (drivers.base.STATE_EPOCH).
    # (by UUID, not the Domain: a connection keeps no undefined domain's trees alive)
    _reads_back = False
    _just_defined: tuple[bytes, int] | None = None  # the domain's UUID and the epoch of its define
    _prepared_xml: tuple[bytes, int, str] | None = None  # its UUID, the epoch it was written at, the XML

    # ------------------------------------------------------------------ domains
    def connect_list_all_domains(self, args: remote.remote_connect_list_all_domains_args):
        flags = args.flags
        check_flags(flags, ALL_DOMAIN_LIST_FLAGS, FROM_TEST, "testConnectListAllDomains")
        domains = list(self.state.domains.values())
        if flags:
            snapshots, checkpoints = self.state.snapshots, self.state.checkpoints
            domains = [
                d
                for d in domains
                if _domain_matches(
                    d,
                    flags,
                    bool(d.uuid in snapshots and snapshots[d.uuid].snapshots),
                    bool(d.uuid in checkpoints and checkpoints[d.uuid].snapshots),
                )
            ]
        if not args.need_results:
            return remote.remote_connect_list_all_domains_ret([], len(domains))
        refs = [remote.remote_nonnull_domain(d.name, d.uuid, d.id) for d in domains]
        return remote.remote_connect_list_all_domains_ret(refs, len(refs))

    def connect_num_of_domains(self) -> remote.remote_connect_num_of_domains_ret:
        return remote.remote_connect_num_of_domains_ret(sum(d.active for d in self.state.domains.values()))

    def domain_lookup_by_name(self, args: remote.remote_domain_lookup_by_name_args):
        domain = self.state.domains.get(args.name)
        if domain is None:
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST)
        return remote.remote_domain_lookup_by_name_ret(_nonnull_domain(domain))

    def domain_lookup_by_uuid(self, args: remote.remote_domain_lookup_by_uuid_args):
        domain = self.state.domain_by_uuid(args.uuid)
        if domain is None:
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST)
        return remote.remote_domain_lookup_by_uuid_ret(_nonnull_domain(domain))

    def domain_lookup_by_id(self, args: remote.remote_domain_lookup_by_id_args):
        domain = next((d for d in self.state.domains.values() if d.id == args.id and d.active), None)
        if domain is None:
            raise report(api.VIR_ERR_NO_DOMAIN, FROM_TEST)
        return remote.remote_domain_lookup_by_id_ret(_nonnull_domain(domain))

    def domain_get_info(self, args: remote.remote_domain_get_info_args) -> remote.remote_domain_get_info_ret:
        domain = self._domain(args.dom)
        cpu_time = time.time_ns() // 1000 * 1000
        # virDomainInfo's nrVirtCpu is an unsigned short: C keeps the low 16 bits of the count
        vcpus = domain.vcpus & 0xFFFF
        return remote.remote_domain_get_info_ret(domain.state, domain.max_memory, domain.memory, vcpus, cpu_time)

    def domain_get_state(self, args: remote.remote_domain_get_state_args) -> remote.remote_domain_get_state_ret:
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetState")
        domain = self._domain(args.dom)
        return remote.remote_domain_get_state_ret(domain.state, domain.reason)

    def domain_get_os_type(self, args: remote.remote_domain_get_os_type_args):
        # testDomainGetOSType answers "linux" for any domain, without looking it up
        return remote.remote_domain_get_os_type_ret("linux")

    def domain_get_max_memory(self, args: remote.remote_domain_get_max_memory_args):
        return remote.remote_domain_get_max_memory_ret(self._domain(args.dom).max_memory)

    def domain_is_active(self, args: remote.remote_domain_is_active_args):
        return remote.remote_domain_is_active_ret(int(self._domain(args.dom).active))

    def domain_is_persistent(self, args: remote.remote_domain_is_persistent_args):
        return remote.remote_domain_is_persistent_ret(int(self._domain(args.dom).persistent))

    def domain_get_messages(self, args: remote.remote_domain_get_messages_args):
        kinds = api.VIR_DOMAIN_MESSAGE_DEPRECATION | api.VIR_DOMAIN_MESSAGE_TAINTING
        check_flags(args.flags, kinds, FROM_TEST, "testDomainGetMessages")
        messages = self._domain(args.dom).messages
        if args.flags:
            wanted = []
            if args.flags & api.VIR_DOMAIN_MESSAGE_TAINTING:
                wanted += [m for m in messages if m.startswith("tainted:")]
            if args.flags & api.VIR_DOMAIN_MESSAGE_DEPRECATION:
                wanted += [m for m in messages if m.startswith("deprecated")]
            messages = wanted
        return remote.remote_domain_get_messages_ret(list(messages))

    def domain_is_updated(self, args: remote.remote_domain_is_updated_args):
        # testDomainIsUpdated answers 0 without looking the domain up
        return remote.remote_domain_is_updated_ret(0)

    def domain_get_autostart(self, args: remote.remote_domain_get_autostart_args):
        return remote.remote_domain_get_autostart_ret(int(self._domain(args.dom).autostart))

    def domain_set_autostart(self, args: remote.remote_domain_set_autostart_args) -> None:
        self._domain(args.dom).autostart = bool(args.autostart)

    def domain_has_managed_save_image(self, args: remote.remote_domain_has_managed_save_image_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainHasManagedSaveImage")
        return remote.remote_domain_has_managed_save_image_ret(int(self._domain(args.dom).managed_save))

    def domain_get_security_label(self, args: remote.remote_domain_get_security_label_args):
        if not self._domain(args.dom).active:  # only running domains carry a label
            return remote.remote_domain_get_security_label_ret(_c_chars(""), 0)  # libvirtd sends its NUL
        return remote.remote_domain_get_security_label_ret(_c_chars("libvirt-test"), 1)

    def domain_get_xml_desc(self, args: remote.remote_domain_get_xml_desc_args):
        # VIR_DOMAIN_XML_COMMON_FLAGS: libvirt's test driver refuses UPDATE_CPU (found by go-libvirt)
        allowed = api.VIR_DOMAIN_XML_SECURE | api.VIR_DOMAIN_XML_INACTIVE | api.VIR_DOMAIN_XML_MIGRATABLE
        check_flags(args.flags, allowed, FROM_TEST, "testDomainGetXMLDesc")
        inactive, secure = bool(args.flags & api.VIR_DOMAIN_XML_INACTIVE), bool(args.flags & api.VIR_DOMAIN_XML_SECURE)
        domain = self._domain(args.dom)
        if self._just_defined is not None:
            just_defined, self._just_defined = self._just_defined, None
            # (this call the define's next: see _reads_back)
            self._reads_back = just_defined == (domain.uuid, STATE_EPOCH.value - 1) and not args.flags
        prepared = self._prepared_xml
        if prepared is not None:
            self._prepared_xml = None
            if prepared[0] == domain.uuid and prepared[1] == STATE_EPOCH.value - 1 and not args.flags:
                return remote.remote_domain_get_xml_desc_ret(prepared[2])
        if self._written_in_thread(domain):
            # a large definition (thousands of vCPUs or devices, or much metadata) written in a worker thread
            return Offload(format_later(domain, inactive, secure), remote.remote_domain_get_xml_desc_ret)
        return remote.remote_domain_get_xml_desc_ret(domain_xml(domain, inactive, secure))

    @staticmethod
    def _written_in_thread(domain: Domain) -> bool:
        return (
            copy_in_thread(domain.definition)
            or (domain.next is not None and copy_in_thread(domain.next.definition))
            or large_metadata(domain)
            or large_metadata(domain.next)
        )

    def _prepare_xml(self, domain: Domain) -> None:
        """What XMLDesc with flags 0 will answer, written now (see _reads_back)."""
        self._prepared_xml = (domain.uuid, STATE_EPOCH.value, domain_xml(domain, False, False))

    def domain_suspend(self, args: remote.remote_domain_suspend_args) -> None:
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_RUNNING:  # libvirt names the domain as the client's reference does
            raise internal_error(FROM_TEST, f"domain '{args.dom.name}' not running")
        domain.state, domain.reason = api.VIR_DOMAIN_PAUSED, api.VIR_DOMAIN_PAUSED_USER
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_SUSPENDED, api.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED)

    def domain_resume(self, args: remote.remote_domain_resume_args) -> None:
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_PAUSED:
            raise internal_error(FROM_TEST, f"domain '{args.dom.name}' not paused")
        domain.state, domain.reason = api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_RUNNING_UNPAUSED
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_RESUMED, api.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED)

    def _check_active(self, domain: Domain) -> None:
        if not domain.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, "domain is not running")

    def _stop(self, domain: Domain, reason: int, event_detail: int) -> None:
        domain.id = -1
        if domain.next is not None:
            domain.take_definition(domain.next)
            domain.next = None
        domain.state, domain.reason = api.VIR_DOMAIN_SHUTOFF, reason
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STOPPED, event_detail)
        if not domain.persistent:  # a transient domain is gone once it stops
            self.state.remove_domain(domain)

    def domain_destroy(self, args: remote.remote_domain_destroy_args) -> None:
        domain = self._domain(args.dom)
        self._check_active(domain)
        self._stop(domain, api.VIR_DOMAIN_SHUTOFF_DESTROYED, api.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)

    def domain_shutdown(self, args: remote.remote_domain_shutdown_args) -> None:
        self.domain_shutdown_flags(remote.remote_domain_shutdown_flags_args(args.dom, 0))

    def domain_shutdown_flags(self, args: remote.remote_domain_shutdown_flags_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testDomainShutdownFlags")
        domain = self._domain(args.dom)
        if domain.state == api.VIR_DOMAIN_SHUTOFF:  # a paused domain shuts down too
            raise internal_error(FROM_TEST, f"domain '{args.dom.name}' not running")
        self._lifecycle_action(domain, "on_poweroff")

    def _lifecycle_action(self, domain: Domain, event: str) -> None:
        """testDomainActionSetState, then the stop it may make: the domain's action for the
        event (on_poweroff, on_reboot: every definition has them, domain_definition.DEFAULT_ELEMENTS)
        restarts it (running, booted, with no event) or stops it."""
        if top(domain.definition, event).text in ("restart", "rename-restart"):
            domain.state, domain.reason = api.VIR_DOMAIN_RUNNING, api.VIR_DOMAIN_RUNNING_BOOTED
        else:
            self._stop(domain, api.VIR_DOMAIN_SHUTOFF_SHUTDOWN, api.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)

    def domain_set_memory_flags(self, args: remote.remote_domain_set_memory_flags_args) -> None:
        public_api.memory_size(args.memory, "virDomainSetMemoryFlags")
        allowed = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG | api.VIR_DOMAIN_MEM_MAXIMUM
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSetMemoryFlags")
        definition, live = self._one_of_definitions(self._domain(args.dom), args.flags)
        if args.flags & api.VIR_DOMAIN_MEM_MAXIMUM:
            if live:
                raise report(
                    api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "cannot resize the maximum memory on an active domain"
                )
            definition.max_memory = args.memory
            definition.memory = min(definition.memory, args.memory)
            return
        if args.memory > definition.max_memory:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "cannot set memory higher than max memory")
        definition.memory = args.memory

    def domain_set_memory(self, args: remote.remote_domain_set_memory_args) -> None:
        public_api.memory_size(args.memory, "virDomainSetMemory")
        flags = api.VIR_DOMAIN_AFFECT_LIVE
        self.domain_set_memory_flags(remote.remote_domain_set_memory_flags_args(args.dom, args.memory, flags))

    def domain_set_max_memory(self, args: remote.remote_domain_set_max_memory_args) -> None:
        public_api.memory_size(args.memory, "virDomainSetMaxMemory")
        flags = api.VIR_DOMAIN_MEM_MAXIMUM  # the domain's current definition: live if it runs
        self.domain_set_memory_flags(remote.remote_domain_set_memory_flags_args(args.dom, args.memory, flags))

    def domain_get_vcpus_flags(self, args: remote.remote_domain_get_vcpus_flags_args):
        allowed = (
            api.VIR_DOMAIN_AFFECT_LIVE
            | api.VIR_DOMAIN_AFFECT_CONFIG
            | api.VIR_DOMAIN_VCPU_MAXIMUM
            | api.VIR_DOMAIN_VCPU_GUEST
        )
        check_flags(args.flags, allowed, FROM_TEST, "testDomainGetVcpusFlags")
        definition, _ = self._one_of_definitions(self._domain(args.dom), args.flags)
        value = definition.max_vcpus if args.flags & api.VIR_DOMAIN_VCPU_MAXIMUM else definition.vcpus
        return remote.remote_domain_get_vcpus_flags_ret(value)

    def domain_get_max_vcpus(self, args: remote.remote_domain_get_max_vcpus_args):
        # libvirt's test driver asks for the live definition's maximum: an error when shut off
        flags = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_VCPU_MAXIMUM
        count = self.domain_get_vcpus_flags(remote.remote_domain_get_vcpus_flags_args(args.dom, flags)).num
        return remote.remote_domain_get_max_vcpus_ret(count)

    def domain_set_vcpus_flags(self, args: remote.remote_domain_set_vcpus_flags_args) -> None:
        public_api.required(args.flags, "VIR_DOMAIN_VCPU_MAXIMUM", "VIR_DOMAIN_AFFECT_CONFIG", "virDomainSetVcpusFlags")
        public_api.exclusive(args.flags, "VIR_DOMAIN_VCPU_GUEST", "VIR_DOMAIN_AFFECT_CONFIG", "virDomainSetVcpusFlags")
        public_api.non_zero(args.nvcpus, "nvcpus", "virDomainSetVcpusFlags")
        allowed = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG | api.VIR_DOMAIN_VCPU_MAXIMUM
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSetVcpusFlags")
        count, maximum = args.nvcpus, bool(args.flags & api.VIR_DOMAIN_VCPU_MAXIMUM)
        if not count:
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, "argument unsupported: nvcpus must be positive")
        if count > MAX_VCPUS:
            detail = f"requested cpu amount exceeds maximum supported amount ({count} > {MAX_VCPUS})"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        live, persistent = self._live_and_persistent(self._domain(args.dom), args.flags)
        for definition in (live, None if maximum else persistent):
            if definition is not None and definition.max_vcpus < count:
                detail = f"requested cpu amount exceeds maximum ({count} > {definition.max_vcpus})"
                raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        if live is not None:
            live.vcpus = count
            domain_vcpus.set_online_count(live.definition, count)
        if persistent is not None and maximum:
            persistent.max_vcpus = count
            drop_vcpu_pins_from(persistent.definition, count)
            online = domain_vcpus.set_maximum(persistent.definition, count)  # listed per-vCPU states decide
            persistent.vcpus = min(persistent.vcpus, count) if online is None else online
        elif persistent is not None:
            persistent.vcpus = count
            domain_vcpus.set_online_count(persistent.definition, count)

    def domain_set_vcpus(self, args: remote.remote_domain_set_vcpus_args) -> None:
        public_api.non_zero(args.nvcpus, "nvcpus", "virDomainSetVcpus")
        flags = api.VIR_DOMAIN_AFFECT_LIVE
        self.domain_set_vcpus_flags(remote.remote_domain_set_vcpus_flags_args(args.dom, args.nvcpus, flags))

    def domain_set_metadata(self, args: remote.remote_domain_set_metadata_args) -> Offload | None:
        if args.type in (api.VIR_DOMAIN_METADATA_TITLE, api.VIR_DOMAIN_METADATA_DESCRIPTION):
            if args.type == api.VIR_DOMAIN_METADATA_TITLE and args.metadata and "\n" in args.metadata:
                raise invalid_argument(
                    api.VIR_FROM_DOMAIN, "metadata title can't contain newlines", "virDomainSetMetadata", "metadata"
                )
            public_api.null(args.uri is not None, "uri", "virDomainSetMetadata")
            public_api.null(args.key is not None, "key", "virDomainSetMetadata")
        elif args.type == api.VIR_DOMAIN_METADATA_ELEMENT:
            public_api.non_null(args.uri is not None, "uri", "virDomainSetMetadata")
            if args.metadata is not None:
                public_api.non_null(args.key is not None, "key", "virDomainSetMetadata")
        check_flags(
            args.flags, api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG, FROM_TEST, "testDomainSetMetadata"
        )
        domain = self._domain(args.dom)
        definitions = [chosen for chosen in self._live_and_persistent(domain, args.flags) if chosen is not None]
        if args.type == api.VIR_DOMAIN_METADATA_ELEMENT:
            if args.uri is None:
                raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "missing namespace URI")
            if args.metadata is not None and not args.key:
                raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, "missing key")
            if args.metadata is not None and definitions:
                read = functools.partial(metadata_entry, args.metadata, args.key or "", args.uri)
                if len(args.metadata) > METADATA_IN_THREAD_BYTES:  # read in a worker thread (~0.15 ms a kilobyte)
                    return Offload(read, functools.partial(self._set_metadata_entry, args))
                self._set_metadata_entry(args, read())
                return None
        elif args.type not in (api.VIR_DOMAIN_METADATA_TITLE, api.VIR_DOMAIN_METADATA_DESCRIPTION):
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, f"unknown metadata type '{args.type}'")
        for definition in definitions:
            if args.type == api.VIR_DOMAIN_METADATA_TITLE:
                definition.title = args.metadata or None
            elif args.type == api.VIR_DOMAIN_METADATA_DESCRIPTION:
                definition.description = args.metadata or None
            else:
                definition.metadata.pop(args.uri or "", None)
        self._metadata_changed(domain, args)
        return None

    def _set_metadata_entry(self, args: remote.remote_domain_set_metadata_args, entry: str) -> None:
        """An application's metadata element, read (metadata_entry), put in the definitions
        chosen: chosen again, as a worker thread may have read it while other calls ran."""
        domain = self._domain(args.dom)
        for definition in self._live_and_persistent(domain, args.flags):
            if definition is not None:
                definition.metadata[args.uri or ""] = entry
                definition.metadata_element = True
        self._metadata_changed(domain, args)

    def _metadata_changed(self, domain: Domain, args: remote.remote_domain_set_metadata_args) -> None:
        self.state.events.emit(
            Event(
                EventFamily.DOMAIN,
                api.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                domain.uuid,
                (_nonnull_domain(domain), args.type, args.uri),
            )
        )

    def domain_get_metadata(self, args: remote.remote_domain_get_metadata_args):
        # virDomainGetMetadata: a namespace URI for an element, none for the title or description
        element = args.type == api.VIR_DOMAIN_METADATA_ELEMENT
        if (
            args.type
            in (api.VIR_DOMAIN_METADATA_TITLE, api.VIR_DOMAIN_METADATA_DESCRIPTION, api.VIR_DOMAIN_METADATA_ELEMENT)
            and (args.uri is None) == element
        ):
            rule = "must not be NULL" if element else "must be NULL"
            raise invalid_argument(
                api.VIR_FROM_DOMAIN, f"uri in virDomainGetMetadata {rule}", "virDomainGetMetadata", "uri"
            )
        check_flags(
            args.flags, api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG, FROM_TEST, "testDomainGetMetadata"
        )
        domain, _ = self._one_of_definitions(self._domain(args.dom), args.flags)
        if args.type == api.VIR_DOMAIN_METADATA_ELEMENT:
            value = domain.metadata.get(args.uri or "")
            if value is not None and len(value) > METADATA_IN_THREAD_BYTES:  # read and written in a worker thread
                return Offload(
                    functools.partial(metadata_without_namespace, value), remote.remote_domain_get_metadata_ret
                )
            value = metadata_without_namespace(value) if value is not None else None
        elif args.type == api.VIR_DOMAIN_METADATA_TITLE:
            value = domain.title
        else:
            value = domain.description
        if value is None:
            raise report(
                api.VIR_ERR_NO_DOMAIN_METADATA, api.VIR_FROM_DOMAIN, "Requested metadata element is not present"
            )
        return remote.remote_domain_get_metadata_ret(value)

    # ------------------------------------------------------------ tuning, stats
    def domain_get_scheduler_type(self, args: remote.remote_domain_get_scheduler_type_args):
        return remote.remote_domain_get_scheduler_type_ret("fair", 1)

    def domain_get_scheduler_parameters(self, args: remote.remote_domain_get_scheduler_parameters_args):
        _scheduler_parameters_wanted(args.nparams, "virDomainGetSchedulerParameters")
        params, _ = tuning.limited(tuning.scheduler_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_scheduler_parameters_ret(params)

    def domain_get_scheduler_parameters_flags(self, args: remote.remote_domain_get_scheduler_parameters_flags_args):
        # libvirt's API adds VIR_TYPED_PARAM_STRING_OKAY for a driver that takes string
        # parameters (every driver, in libvirtd) and the test driver accepts no flag at all:
        # this call always fails there, naming the flags with that one added.
        function = "virDomainGetSchedulerParametersFlags"
        _scheduler_parameters_wanted(args.nparams, function)
        flags = args.flags | api.VIR_TYPED_PARAM_STRING_OKAY
        public_api.exclusive(flags, "VIR_DOMAIN_AFFECT_LIVE", "VIR_DOMAIN_AFFECT_CONFIG", function)
        check_flags(flags, 0, FROM_TEST, "testDomainGetSchedulerParametersFlags")
        params, _ = tuning.limited(tuning.scheduler_parameters(self._domain(args.dom)), args.nparams)
        return remote.remote_domain_get_scheduler_parameters_flags_ret(params)

    def domain_set_scheduler_parameters_flags(
        self, args: remote.remote_domain_set_scheduler_parameters_flags_args
    ) -> None:
        public_api.set_parameters(args.params, "virDomainSetSchedulerParametersFlags")
        check_flags(args.flags, 0, FROM_TEST, "testDomainSetSchedulerParametersFlags")
        validate_params(args.params, {api.VIR_DOMAIN_SCHEDULER_WEIGHT: api.VIR_TYPED_PARAM_UINT})
        self._domain(args.dom)  # libvirt's test driver checks the weight and keeps nothing

    def domain_set_scheduler_parameters(self, args: remote.remote_domain_set_scheduler_parameters_args) -> None:
        public_api.set_parameters(args.params, "virDomainSetSchedulerParameters")
        self.domain_set_scheduler_parameters_flags(
            remote.remote_domain_set_scheduler_parameters_flags_args(args.dom, args.params, 0)
        )

    def domain_get_memory_parameters(self, args: remote.remote_domain_get_memory_parameters_args):
        tuning.check_tuning_flags(args.flags, "testDomainGetMemoryParameters")
        if args.nparams == 0:  # libvirt's test driver counts before it looks the domain up
            return remote.remote_domain_get_memory_parameters_ret([], len(tuning.MEMORY_LIMITS))
        chosen, _ = self._one_of_definitions(self._domain(args.dom), args.flags & ~api.VIR_TYPED_PARAM_STRING_OKAY)
        limits = memory_limits(chosen.definition)
        params, count = tuning.limited(tuning.memory_parameters(limits), args.nparams)
        return remote.remote_domain_get_memory_parameters_ret(params, count)

    def domain_get_blkio_parameters(self, args: remote.remote_domain_get_blkio_parameters_args):
        tuning.check_tuning_flags(args.flags, "testDomainGetBlkioParameters")
        if args.nparams == 0:  # libvirt's test driver counts before it looks the domain up
            return remote.remote_domain_get_blkio_parameters_ret([], 6)
        chosen, _ = self._one_of_definitions(self._domain(args.dom), args.flags & ~api.VIR_TYPED_PARAM_STRING_OKAY)
        tune = blkio(chosen.definition)
        params, count = tuning.limited(tuning.blkio_parameters(tune.weight, blkio_device_lists(tune)), args.nparams)
        return remote.remote_domain_get_blkio_parameters_ret(tuning.for_client(params, args.flags), count)

    def domain_get_block_info(self, args: remote.remote_domain_get_block_info_args):
        public_api.non_empty_string(args.path, "disk", "virDomainGetBlockInfo")
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetBlockInfo")
        domain = self._domain(args.dom)
        if not any(args.path in (disk.target, disk.source) for disk in domain.disks):
            detail = f"invalid path {args.path} not assigned to domain"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        return remote.remote_domain_get_block_info_ret(1099511627776, 1099506450432, 1099511627776)

    def domain_get_control_info(self, args: remote.remote_domain_get_control_info_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetControlInfo")
        domain = self._domain(args.dom)
        self._check_active(domain)
        return remote.remote_domain_get_control_info_ret(*domain.guest.control_info())

    def domain_get_hostname(self, args: remote.remote_domain_get_hostname_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetHostname")
        domain = self._domain(args.dom)
        self._check_active(domain)
        # testDomainGetHostname builds it from the name the client's domain reference carries
        return remote.remote_domain_get_hostname_ret(f"{args.dom.name}host")

    def domain_get_time(self, args: remote.remote_domain_get_time_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetTime")
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_RUNNING:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "domain is not running")
        guest = domain.guest
        return remote.remote_domain_get_time_ret(guest.seconds, guest.nseconds)

    def domain_get_fsinfo(self, args: remote.remote_domain_get_fsinfo_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetFSInfo")
        domain = self._domain(args.dom)
        self._check_active(domain)
        # testDomainGetFSInfo: two file systems on the first disk that is a disk, if any
        target = next((disk.target for disk in domain.disks if disk.device == "disk"), None)
        filesystems = []
        if target is not None:
            filesystems = [
                remote.remote_domain_fsinfo("/", f"{target}1", "ext4", [target]),
                remote.remote_domain_fsinfo("/boot", f"{target}2", "ext4", [target]),
            ]
        return remote.remote_domain_get_fsinfo_ret(filesystems, len(filesystems))

    def domain_block_stats(self, args: remote.remote_domain_block_stats_args):
        if not args.path:
            raise report(api.VIR_ERR_OPERATION_UNSUPPORTED, FROM_TEST, "summary statistics are not supported yet")
        domain = self._domain(args.dom)
        self._check_active(domain)
        if not any(args.path in (disk.target, disk.source) for disk in domain.disks):
            detail = f"invalid path: {args.path}"
            raise report(api.VIR_ERR_INVALID_ARG, FROM_TEST, detail)
        # libvirt's test driver makes its counters up from the clock
        micros, seconds = time.time_ns() // 1000, int(time.time())
        return remote.remote_domain_block_stats_ret(
            micros // 10, micros // 20, micros // 30, micros // 40, seconds // 2
        )

    def domain_interface_stats(self, args: remote.remote_domain_interface_stats_args):
        domain = self._domain(args.dom)
        self._check_active(domain)
        if domain.find_interface(args.device) is None:
            detail = f"'{args.device}' is not a known interface"
            raise report(api.VIR_ERR_INVALID_ARG, api.VIR_FROM_DOMAIN, detail)  # from virDomainNetFind
        micros = time.time_ns() // 1000  # testDomainInterfaceStats: fractions of the clock in µs
        second = 1_000_000
        received = (micros // 10, micros // 100, micros // second, micros // (2 * second))  # bytes, packets, errs, drop
        sent = (micros // 20, micros // 110, micros // (3 * second), micros // (4 * second))
        return remote.remote_domain_interface_stats_ret(*received, *sent)

    def domain_interface_addresses(self, args: remote.remote_domain_interface_addresses_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainInterfaceAddresses")
        if args.source > api.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP:
            detail = f"Unknown IP address data source {args.source}"
            raise report(api.VIR_ERR_ARGUMENT_UNSUPPORTED, FROM_TEST, detail)
        domain = self._domain(args.dom)
        self._check_active(domain)
        interfaces = []
        for position, interface in enumerate(domain.interfaces):
            if interface.kind == "network":  # one block of 20 addresses per domain ID
                network = self._network_named(interface.network or "")
                ip = network_address(network.definition, 20 * (domain.id - 1) + position + 1)
            else:
                ip = remote.remote_domain_ip_addr(api.VIR_IP_ADDR_TYPE_IPV4, f"192.168.0.{position + 1}", 24)
            interfaces.append(remote.remote_domain_interface(interface.target, interface.mac, [ip]))
        return remote.remote_domain_interface_addresses_ret(interfaces)

    def domain_get_disk_errors(self, args: remote.remote_domain_get_disk_errors_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainGetDiskErrors")
        domain = self._domain(args.dom)
        self._check_active(domain)
        # testDomainGetDiskErrors: every disk has an error, unspecified and no-space in turn
        kinds = (api.VIR_DOMAIN_DISK_ERROR_UNSPEC, api.VIR_DOMAIN_DISK_ERROR_NO_SPACE)
        errors = [
            remote.remote_domain_disk_error(disk.target, kinds[position % len(kinds)])
            for position, disk in enumerate(domain.disks)
        ]
        if not args.maxerrors:
            return remote.remote_domain_get_disk_errors_ret([], len(errors))
        return remote.remote_domain_get_disk_errors_ret(errors[: args.maxerrors], len(errors[: args.maxerrors]))

    def domain_memory_stats(self, args: remote.remote_domain_memory_stats_args):
        if not args.maxStats:  # virDomainMemoryStats answers no statistics before any check
            return remote.remote_domain_memory_stats_ret([])
        check_flags(args.flags, 0, FROM_TEST, "testDomainMemoryStats")
        domain = self._domain(args.dom)
        self._check_active(domain)
        if memory_balloon(domain.definition) is None:  # virDomainDefHasMemballoon: no statistics
            return remote.remote_domain_memory_stats_ret([])
        values = [
            (api.VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, domain.memory),
            (api.VIR_DOMAIN_MEMORY_STAT_SWAP_IN, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_UNUSED, domain.memory // 2),
            (api.VIR_DOMAIN_MEMORY_STAT_AVAILABLE, domain.memory),
            (api.VIR_DOMAIN_MEMORY_STAT_USABLE, domain.memory // 2),
            (api.VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, 627319920),
            (api.VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, domain.memory // 8),
            (api.VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, 0),
            (api.VIR_DOMAIN_MEMORY_STAT_RSS, domain.memory // 2),
        ]
        stats = [remote.remote_domain_memory_stat(tag, value) for tag, value in values][: args.maxStats]
        return remote.remote_domain_memory_stats_ret(stats)

    def domain_set_memory_stats_period(self, args: remote.remote_domain_set_memory_stats_period_args) -> None:
        allowed = api.VIR_DOMAIN_AFFECT_LIVE | api.VIR_DOMAIN_AFFECT_CONFIG
        if args.period < 0:  # virDomainSetMemoryStatsPeriod
            message = "period in virDomainSetMemoryStatsPeriod must be zero or greater"
            raise invalid_argument(api.VIR_FROM_DOMAIN, message, "virDomainSetMemoryStatsPeriod", "period")
        check_flags(args.flags, allowed, FROM_TEST, "testDomainSetMemoryStatsPeriod")
        chosen, _ = self._one_of_definitions(self._domain(args.dom), args.flags)
        balloon = memory_balloon(chosen.definition)
        if balloon is None:
            raise internal_error(FROM_TEST, "No memory balloon device configured, can not set the collection period")
        # libvirt writes <stats period='N'/> first in the balloon, and nothing for period 0
        for old in balloon.findall("stats"):
            balloon.remove(old)
        if args.period:
            balloon.insert(0, make_element("stats", period=str(args.period)))

    def domain_reboot(self, args: remote.remote_domain_reboot_args) -> None:
        check_flags(args.flags, REBOOT_FLAGS, FROM_TEST, "testDomainReboot")
        domain = self._domain(args.dom)
        self._check_active(domain)
        self._lifecycle_action(domain, "on_reboot")

    def domain_create(self, args: remote.remote_domain_create_args) -> Offload | None:
        domain = self._domain(args.dom)
        if domain.state != api.VIR_DOMAIN_SHUTOFF:
            raise internal_error(FROM_TEST, f"Domain '{args.dom.name}' is already running")
        if domain.persistent and domain.next is None and copy_in_thread(domain.definition):
            # the copy of a large definition the start makes (a write and a read) in a worker
            # thread, from its text; the start on the loop, as it is then
            texts, os_type, max_vcpus = frozen(domain.definition), domain.os_type, domain.max_vcpus
            work = functools.partial(copied_from_frozen, texts, os_type, max_vcpus)
            return Offload(work, functools.partial(self._start_copied, args, (texts, os_type, max_vcpus)))
        self._start(domain, None)
        return None

    def _start_copied(
        self, args: remote.remote_domain_create_args, copied_from: tuple[Any, ...], copied: list[Any] | LibvirtError
    ) -> None:
        domain = self._domain(args.dom)  # (undefined meanwhile: not found, as had it come first)
        if domain.state != api.VIR_DOMAIN_SHUTOFF:
            raise internal_error(FROM_TEST, f"Domain '{args.dom.name}' is already running")
        if domain.next is not None or (frozen(domain.definition), domain.os_type, domain.max_vcpus) != copied_from:
            self._start(domain, None)  # changed meanwhile (rare): copied again, here
        else:
            self._start(domain, copied)

    def _start(self, domain: Domain, copied: list[Any] | LibvirtError | None) -> None:
        if isinstance(copied, LibvirtError):
            # the copy refused: libvirt's test driver has given the domain an id by then, and
            # shuts it off as failed with the id left set (state.start_domain's steps)
            domain.id = self.state.next_domain_id
            self.state.next_domain_id += 1
            domain.state, domain.reason = api.VIR_DOMAIN_SHUTOFF, api.VIR_DOMAIN_SHUTOFF_FAILED
            raise copied
        if copied is not None:
            domain.next = domain.persistent_copy(copied)
        self.state.start_domain(domain, api.VIR_DOMAIN_RUNNING_BOOTED)
        # testDomainStartState: a managed save image is dropped once the start succeeded, and
        # the start is a boot (STARTED_BOOTED) with or without one
        domain.managed_save = False
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STARTED, api.VIR_DOMAIN_EVENT_STARTED_BOOTED)

    def domain_create_xml(self, args: remote.remote_domain_create_xml_args):
        return self._create_xml(args.xml_desc, args.flags, lambda created: created)

    def _create_xml(self, xml: str, flags: int, reply: Callable[[remote.remote_domain_create_xml_ret], Any]) -> Any:
        check_flags(flags, api.VIR_DOMAIN_START_VALIDATE, FROM_TEST, "testDomainCreateXML")
        validate = bool(flags & api.VIR_DOMAIN_START_VALIDATE)
        return self._parsed(xml, lambda domain: reply(self._create(domain)), validate)

    def _create(self, domain: Domain) -> remote.remote_domain_create_xml_ret:
        existing = self._existing_for(domain)
        if existing is not None:
            if existing.active:
                detail = f"domain '{domain.name}' is already active"
                raise report(api.VIR_ERR_OPERATION_INVALID, api.VIR_FROM_DOMAIN, detail)
            domain.keep_object_state(existing)
            domain.persistent = existing.persistent
            domain.next = existing if existing.persistent else None  # its definition returns at the stop
        else:
            domain.persistent = False
        self.state.add_domain(domain)
        self.state.start_domain(domain, api.VIR_DOMAIN_RUNNING_BOOTED)
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_STARTED, api.VIR_DOMAIN_EVENT_STARTED_BOOTED)
        return remote.remote_domain_create_xml_ret(_nonnull_domain(domain))

    def domain_create_with_flags(self, args: remote.remote_domain_create_with_flags_args):
        check_flags(args.flags, 0, FROM_TEST, "testDomainCreateWithFlags")
        started = self.domain_create(remote.remote_domain_create_args(args.dom))

        def reply(_: Any = None) -> remote.remote_domain_create_with_flags_ret:
            return remote.remote_domain_create_with_flags_ret(_nonnull_domain(self._domain(args.dom)))

        if isinstance(started, Offload):
            return Offload(started.work, lambda copied: reply(started.then(copied)))
        return reply()

    async def domain_screenshot(self, args: remote.remote_domain_screenshot_args) -> StreamReply:
        check_flags(args.flags, 0, FROM_TEST, "testDomainScreenshot")
        return StreamReply(remote.remote_domain_screenshot_ret("image/png"), screenshot_source())

    def _existing_for(self, parsed: Domain) -> Domain | None:
        """The domain a new definition replaces (same UUID and name), or None for a new one;
        a clash by UUID or by name alone refused, as virDomainObjListAddLocked refuses it
        (it looks up the UUID first, then the name)."""
        existing = self.state.domain_by_uuid(parsed.uuid)
        if existing is not None and existing.name != parsed.name:
            detail = f"domain '{existing.name}' is already defined with uuid {existing.uuid_text}"
            raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, detail)
        if existing is None:
            clash = self.state.domains.get(parsed.name)
            if clash is not None:
                detail = f"domain '{clash.name}' already exists with uuid {clash.uuid_text}"
                raise report(api.VIR_ERR_OPERATION_FAILED, api.VIR_FROM_DOMAIN, detail)
        return existing

    def _parsed(self, xml: str, then: Callable[[Domain], Any], validate: bool = False) -> Any:
        """then(the parsed definition); a document that is large, or asks for much work (parse.
        parse_in_thread), is checked against the schema (validate) and parsed in a worker
        thread: it must not hold up other clients."""
        if parse_in_thread(xml):
            return Offload(functools.partial(read_domain, xml, self.state, validate), then)
        return then(read_domain(xml, self.state, validate))

    def _define(self, parsed: Domain) -> tuple[Domain, bool]:
        """Add or update a persistent domain; True when it was new."""
        existing = self._existing_for(parsed)
        if existing is not None:
            if existing.active:  # a new definition leaves the running domain as it is
                existing.next, existing.persistent = parsed, True
                return existing, False
            parsed.id, parsed.state, parsed.reason = existing.id, existing.state, existing.reason
            parsed.keep_object_state(existing)
        self.state.add_domain(parsed)
        return parsed, existing is None

    def domain_define_xml(self, args: remote.remote_domain_define_xml_args):
        return self._parsed(args.xml, lambda parsed: remote.remote_domain_define_xml_ret(self._defined(parsed)))

    def _defined(self, parsed: Domain) -> remote.remote_nonnull_domain:
        # testDomainDefineXMLFlags refuses a newline in the name once the definition is read
        # (createXML does not: a running domain may have one)
        if "\n" in parsed.name:
            raise report(api.VIR_ERR_XML_DETAIL, api.VIR_FROM_XML, "invalid char in name: \n")
        domain, new = self._define(parsed)
        detail = api.VIR_DOMAIN_EVENT_DEFINED_ADDED if new else api.VIR_DOMAIN_EVENT_DEFINED_UPDATED
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_DEFINED, detail)
        self._just_defined = (domain.uuid, STATE_EPOCH.value)
        if self._prepared_xml is not None:  # written for nothing: the client did not read it back
            self._prepared_xml, self._reads_back = None, False
        if self._reads_back and not self._written_in_thread(domain):
            after_reply(functools.partial(self._prepare_xml, domain))
        return _nonnull_domain(domain)

    def domain_define_xml_flags(self, args: remote.remote_domain_define_xml_flags_args):
        check_flags(args.flags, api.VIR_DOMAIN_DEFINE_VALIDATE, FROM_TEST, "testDomainDefineXMLFlags")
        validate = bool(args.flags & api.VIR_DOMAIN_DEFINE_VALIDATE)
        return self._parsed(
            args.xml, lambda parsed: remote.remote_domain_define_xml_flags_ret(self._defined(parsed)), validate
        )

    def domain_undefine(self, args: remote.remote_domain_undefine_args) -> None:
        self.domain_undefine_flags(remote.remote_domain_undefine_flags_args(args.dom, 0))

    def domain_undefine_flags(self, args: remote.remote_domain_undefine_flags_args) -> None:
        allowed = api.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | api.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        check_flags(args.flags, allowed, FROM_TEST, "testDomainUndefineFlags")
        domain = self._domain(args.dom)
        if domain.managed_save and not args.flags & api.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE:
            detail = "Refusing to undefine while domain managed save image exists"
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        snapshots = self.state.snapshots.get(domain.uuid)
        count = len(snapshots.snapshots) if snapshots is not None else 0
        if not domain.active and count and not args.flags & api.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA:
            detail = f"cannot delete inactive domain with {count} snapshots"
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        domain.managed_save = False
        self._emit_lifecycle(domain, api.VIR_DOMAIN_EVENT_UNDEFINED, api.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED)
        if domain.active:
            domain.persistent = False  # a running domain lives on as a transient one
        else:
            self.state.remove_domain(domain)

    def connect_num_of_defined_domains(self) -> remote.remote_connect_num_of_defined_domains_ret:
        return remote.remote_connect_num_of_defined_domains_ret(sum(not d.active for d in self.state.domains.values()))

    def connect_list_defined_domains(self, args: remote.remote_connect_list_defined_domains_args):
        names = [d.name for d in self.state.domains.values() if not d.active][: args.maxnames]
        return remote.remote_connect_list_defined_domains_ret(names)

    def connect_list_domains(self, args: remote.remote_connect_list_domains_args):
        ids = sorted(d.id for d in self.state.domains.values() if d.active)[: args.maxids]
        return remote.remote_connect_list_domains_ret(ids)


def _scheduler_parameters_wanted(nparams: int, function: str) -> None:
    """virDomainGetSchedulerParameters(Flags)' checks: no room asked for arrives as NULL params."""
    public_api.non_null(nparams != 0, "params", function)
    public_api.positive(nparams, "nparams", function)


def memory_balloon(definition: list[Any]) -> Any:
    """The definition's memory balloon device; None without one or with model 'none'
    (virDomainDefHasMemballoon)."""
    devices = top(definition, "devices")
    balloon = None if devices is None else devices.find("memballoon")
    return None if balloon is None or balloon.get("model") == "none" else balloon
