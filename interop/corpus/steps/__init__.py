"""What several libvirt-python scenarios share (the scenarios run as scripts from
interop/corpus, so this folder is importable as ``steps``): a call's outcome printed one way,
and the URI of a node file of the scenario's own on the daemon the harness named."""

import sys

import libvirt

# The capability names virNodeDevCapType knows in libvirt 9.0.0, in its order (what a
# listDevices(cap) filter may name).
NODE_DEVICE_CAPABILITIES = (
    "system",
    "pci",
    "usb_device",
    "usb",
    "net",
    "scsi_host",
    "scsi_target",
    "scsi",
    "storage",
    "fc_host",
    "vports",
    "scsi_generic",
    "drm",
    "mdev_types",
    "mdev",
    "ccw",
    "css",
    "vdpa",
    "ap_card",
    "ap_queue",
    "ap_matrix",
    "vpd",
)


def attempt(label, step):
    """Print "label -> result", or "label !! code domain message" for libvirt's error."""
    try:
        print(label, "->", step())
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), error.get_error_message())


def node_file_uri(path):
    """test+unix://PATH on the socket of the harness's URI (sys.argv[1])."""
    return f"test+unix://{path}?{sys.argv[1].split('?', 1)[1]}"
