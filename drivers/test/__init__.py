"""libvirt's test hypervisor: test:///default and test:///path/to/node.xml."""
