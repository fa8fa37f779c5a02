"""ovirt-he-deploy: the Hosted Engine deploy unit of an oVirt host installation."""

__version__ = "0.1.0"
