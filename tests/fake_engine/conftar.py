"""The Hosted Engine configuration archive as node-0 setup writes it (20480-byte tar)."""

import io
import tarfile
import time
from typing import Dict, Optional

ARCHIVE_SIZE = 20480

# A shared hosted-engine.conf in the order the ansible template writes it (NFS storage).
SAMPLE_CONF = """fqdn=engine.example.com
vm_disk_id=6a1b2c3d-0001-4a5b-8c9d-0e1f2a3b4c5d
vm_disk_vol_id=6a1b2c3d-0002-4a5b-8c9d-0e1f2a3b4c5d
vmid=6a1b2c3d-0003-4a5b-8c9d-0e1f2a3b4c5d
storage=nfs.example.com:/exports/hosted_storage
nfs_version=auto
mnt_options=
conf=/var/run/ovirt-hosted-engine-ha/vm.conf
host_id=1
console=vnc
domainType=nfs
spUUID=00000000-0000-0000-0000-000000000000
sdUUID=6a1b2c3d-0004-4a5b-8c9d-0e1f2a3b4c5d
connectionUUID=e29cf818-5ee5-46e1-85c1-8aeefa33e95d
vdsm_use_ssl=true
gateway=192.0.2.1
bridge=ovirtmgmt
network_test=dns
tcp_t_address=
tcp_t_port=
metadata_volume_UUID=6a1b2c3d-0005-4a5b-8c9d-0e1f2a3b4c5d
metadata_image_UUID=6a1b2c3d-0006-4a5b-8c9d-0e1f2a3b4c5d
lockspace_volume_UUID=6a1b2c3d-0007-4a5b-8c9d-0e1f2a3b4c5d
lockspace_image_UUID=6a1b2c3d-0008-4a5b-8c9d-0e1f2a3b4c5d
conf_volume_UUID=6a1b2c3d-0009-4a5b-8c9d-0e1f2a3b4c5d
conf_image_UUID=6a1b2c3d-000a-4a5b-8c9d-0e1f2a3b4c5d
"""


def default_members(conf: Optional[str] = None) -> Dict[str, bytes]:
    """The five members heconflib expects, with conf as hosted-engine.conf."""
    return {
        "version": b"2.5.2\n",
        "fhanswers.conf": b"[environment:default]\nOVEHOSTED_CORE/deployProceed=bool:True\n",
        "hosted-engine.conf": (SAMPLE_CONF if conf is None else conf).encode("ascii"),
        "broker.conf": b"[email]\nsmtp-server = localhost\n",
        "vm.conf": b"vmId=6a1b2c3d-0003-4a5b-8c9d-0e1f2a3b4c5d\nmemSize=16384\n",
    }


def build_archive(members: Dict[str, bytes]) -> bytes:
    """A plain tar of members padded with zeros to 20480 bytes (tar --record-size=20480)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(content))
    data = buffer.getvalue()
    if len(data) > ARCHIVE_SIZE:
        raise ValueError("archive is {} bytes, more than {}".format(len(data), ARCHIVE_SIZE))
    return data + b"\0" * (ARCHIVE_SIZE - len(data))
