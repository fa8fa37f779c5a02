"""Drive Hosted Engine hosts through the oVirt engine's REST API (ovirt-engine-sdk-python)."""
