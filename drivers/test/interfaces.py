"""Host interface procedures of the test driver."""

from __future__ import annotations

import copy
import functools
from dataclasses import replace

from virtrio.drivers.base import release_after_reply
from virtrio.protocol.generated import libvirt_api as api
from virtrio.protocol.generated import remote
from virtrio.rpc.errors import check_flags, report

from .common import (
    FROM_TEST,
    TestProcedures,
)
from .formats import interface_xml
from .interface_definition import InterfaceDefinition, parse_interface_xml
from .large_documents import large_object, read_then, write_then
from .state import Interface


class InterfaceProcedures(TestProcedures):
    # --------------------------------------------------------------- interfaces
    def connect_list_all_interfaces(self, args: remote.remote_connect_list_all_interfaces_args):
        check_flags(args.flags, 3, FROM_TEST, "testConnectListAllInterfaces")
        wanted = {api.VIR_CONNECT_LIST_INTERFACES_ACTIVE: True, api.VIR_CONNECT_LIST_INTERFACES_INACTIVE: False}
        states = {value for flag, value in wanted.items() if args.flags & flag} or {True, False}
        interfaces = [i for i in self.state.interfaces.values() if i.active in states]
        refs = [remote.remote_nonnull_interface(i.name, i.mac) for i in interfaces] if args.need_results else []
        return remote.remote_connect_list_all_interfaces_ret(refs, len(interfaces))

    def _interface(self, ref: remote.remote_nonnull_interface) -> Interface:
        interface = self.state.interfaces.get(ref.name)
        if interface is None:
            raise report(api.VIR_ERR_NO_INTERFACE, FROM_TEST, f"no interface with matching name '{ref.name}'")
        return interface

    def interface_lookup_by_name(self, args: remote.remote_interface_lookup_by_name_args):
        interface = self._interface(remote.remote_nonnull_interface(args.name, ""))
        ref = remote.remote_nonnull_interface(interface.name, interface.mac)
        return remote.remote_interface_lookup_by_name_ret(ref)

    def interface_lookup_by_mac_string(self, args: remote.remote_interface_lookup_by_mac_string_args):
        # libvirt compares with g_ascii_strcasecmp, which finds an interface without a MAC equal to any
        matches = [i for i in self.state.interfaces.values() if not i.mac or i.mac.lower() == args.mac.lower()]
        if not matches:
            detail = f"no interface with matching mac '{args.mac}'"
            raise report(api.VIR_ERR_NO_INTERFACE, FROM_TEST, detail)
        if len(matches) > 1:
            raise report(api.VIR_ERR_MULTIPLE_INTERFACES, FROM_TEST)
        ref = remote.remote_nonnull_interface(matches[0].name, args.mac)
        return remote.remote_interface_lookup_by_mac_string_ret(ref)

    def interface_get_xml_desc(self, args: remote.remote_interface_get_xml_desc_args):
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceGetXMLDesc")
        interface = self._interface(args.iface)
        definition = interface.definition
        large = definition is not None and large_object(definition.part_counts())
        # (a copy of the interface, whose definition is never changed in place, for a worker thread)
        write = functools.partial(interface_xml, copy.copy(interface) if large else interface)
        return write_then(large, write, remote.remote_interface_get_xml_desc_ret)

    def interface_is_active(self, args: remote.remote_interface_is_active_args):
        return remote.remote_interface_is_active_ret(int(self._interface(args.iface).active))

    def interface_create(self, args: remote.remote_interface_create_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceCreate")
        interface = self._interface(args.iface)
        if interface.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST)
        interface.active = True

    def interface_destroy(self, args: remote.remote_interface_destroy_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceDestroy")
        interface = self._interface(args.iface)
        if not interface.active:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST)
        interface.active = False

    def interface_define_xml(self, args: remote.remote_interface_define_xml_args):
        check_flags(args.flags, api.VIR_INTERFACE_DEFINE_VALIDATE, FROM_TEST, "testInterfaceDefineXML")
        validate = bool(args.flags & api.VIR_INTERFACE_DEFINE_VALIDATE)
        return read_then(args.xml, functools.partial(parse_interface_xml, args.xml, validate), self._defined_interface)

    def _defined_interface(self, definition: InterfaceDefinition) -> remote.remote_interface_define_xml_ret:
        # virInterfaceObjListAssignDef: a new definition for the interface of that name, or a new,
        # inactive interface
        interface = self.state.interfaces.get(definition.name)
        if interface is None:
            interface = self.state.interfaces[definition.name] = Interface(definition.name, "", active=False)
        if interface.definition is not None:
            release_after_reply(interface.definition)  # the one replaced, freed after the reply
        interface.definition, interface.mac = definition, definition.mac or ""
        ref = remote.remote_nonnull_interface(interface.name, interface.mac)
        return remote.remote_interface_define_xml_ret(ref)

    def interface_undefine(self, args: remote.remote_interface_undefine_args) -> None:
        release_after_reply(self.state.interfaces.pop(self._interface(args.iface).name))

    def connect_num_of_interfaces(self) -> remote.remote_connect_num_of_interfaces_ret:
        return remote.remote_connect_num_of_interfaces_ret(sum(i.active for i in self.state.interfaces.values()))

    def connect_list_interfaces(self, args: remote.remote_connect_list_interfaces_args):
        names = [i.name for i in self.state.interfaces.values() if i.active][: args.maxnames]
        return remote.remote_connect_list_interfaces_ret(names)

    def connect_num_of_defined_interfaces(self) -> remote.remote_connect_num_of_defined_interfaces_ret:
        inactive = sum(not i.active for i in self.state.interfaces.values())
        return remote.remote_connect_num_of_defined_interfaces_ret(inactive)

    def connect_list_defined_interfaces(self, args: remote.remote_connect_list_defined_interfaces_args):
        names = [i.name for i in self.state.interfaces.values() if not i.active][: args.maxnames]
        return remote.remote_connect_list_defined_interfaces_ret(names)

    def interface_change_begin(self, args: remote.remote_interface_change_begin_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceChangeBegin")
        if self.state.interface_backup is not None:
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, "there is another transaction running.")
        # virInterfaceObjListClone: the copies are new interface objects, all of them inactive;
        # they share the definitions, which are never changed in place (a define replaces one)
        backup = {name: replace(interface, active=False) for name, interface in self.state.interfaces.items()}
        self.state.interface_backup = backup

    def interface_change_commit(self, args: remote.remote_interface_change_commit_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceChangeCommit")
        if self.state.interface_backup is None:
            detail = "no transaction running, nothing to be committed."
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        self.state.interface_backup = None

    def interface_change_rollback(self, args: remote.remote_interface_change_rollback_args) -> None:
        check_flags(args.flags, 0, FROM_TEST, "testInterfaceChangeRollback")
        if self.state.interface_backup is None:
            detail = "no transaction running, nothing to rollback."
            raise report(api.VIR_ERR_OPERATION_INVALID, FROM_TEST, detail)
        release_after_reply(self.state.interfaces)
        self.state.interfaces, self.state.interface_backup = self.state.interface_backup, None
