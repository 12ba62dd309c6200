"""What several libvirt-python scenarios share (the scenarios run as scripts from
interop/corpus, so this folder is importable as ``steps``): a call's outcome printed one way,
and the URI of a node file of the scenario's own on the daemon the harness named."""

import sys

import libvirt


def attempt(label, step):
    """Print "label -> result", or "label !! code domain message" for libvirt's error."""
    try:
        print(label, "->", step())
    except libvirt.libvirtError as error:
        print(label, "!!", error.get_error_code(), error.get_error_domain(), error.get_error_message())


def node_file_uri(path):
    """test+unix://PATH on the socket of the harness's URI (sys.argv[1])."""
    return f"test+unix://{path}?{sys.argv[1].split('?', 1)[1]}"
