"""Where the engine VM runs: its host, cluster and data center, and what the engine allows."""

from typing import Any, Dict, List, NamedTuple, Optional

from .connection import EngineError
from .hosts import HostState, link_id

HE_VM_NAME = "HostedEngine"
# VM origins of the engine VM (OriginType MANAGED_HOSTED_ENGINE / HOSTED_ENGINE). Only a
# managed one can get new Hosted Engine hosts (HostValidator.supportsDeployingHostedEngine:
# ACTION_TYPE_FAILED_UNMANAGED_HOSTED_ENGINE).
MANAGED_ORIGIN = "managed_hosted_engine"
HE_VM_ORIGINS = (MANAGED_ORIGIN, "hosted_engine")


class Cluster(NamedTuple):
    id: str
    name: str
    data_center_id: Optional[str]


class Topology(NamedTuple):
    """The engine VM and the clusters and data centers hosts live in."""

    vm_id: Optional[str]
    vm_name: Optional[str]
    vm_managed: bool
    vm_host_id: Optional[str]
    vm_cluster_id: Optional[str]
    clusters: Dict[str, Cluster]
    data_centers: Dict[str, str]

    @property
    def has_engine_vm(self) -> bool:
        return self.vm_id is not None

    def cluster_name(self, cluster_id: Optional[str]) -> str:
        cluster = self.clusters.get(cluster_id or "")
        return cluster.name if cluster else "(unknown cluster {})".format(cluster_id)

    def dc_of(self, cluster_id: Optional[str]) -> Optional[str]:
        cluster = self.clusters.get(cluster_id or "")
        return cluster.data_center_id if cluster else None

    def dc_name(self, dc_id: Optional[str]) -> str:
        return self.data_centers.get(dc_id or "", "(unknown data center {})".format(dc_id))

    def cluster_by_name(self, name: str) -> Optional[Cluster]:
        for cluster in self.clusters.values():
            if cluster.name == name:
                return cluster
        return None


def _enum(value: Any) -> Optional[str]:
    return None if value is None else str(getattr(value, "value", value))


def find_he_vm(connection: Any) -> Optional[Any]:
    """The engine VM: by origin (as the engine does since 4.x), else by its default name."""
    vms = connection.system_service().vms_service().list()
    for vm in vms:
        if _enum(vm.origin) in HE_VM_ORIGINS:
            return vm
    for vm in vms:
        if vm.name == HE_VM_NAME:
            return vm
    return None


def require_he_vm(connection: Any) -> Any:
    vm = find_he_vm(connection)
    if vm is None:
        raise EngineError("the engine has no Hosted Engine VM (no VM with origin {} and none "
                          "named {}); is this a Hosted Engine setup?".format(
                              " or ".join(HE_VM_ORIGINS), HE_VM_NAME))
    return vm


def load(connection: Any) -> Topology:
    system = connection.system_service()
    clusters = {str(cluster.id): Cluster(str(cluster.id), str(cluster.name),
                                         link_id(cluster.data_center))
                for cluster in system.clusters_service().list()}
    data_centers = {str(dc.id): str(dc.name) for dc in system.data_centers_service().list()}
    vm = find_he_vm(connection)
    if vm is None:
        return Topology(None, None, False, None, None, clusters, data_centers)
    return Topology(str(vm.id), str(vm.name), _enum(vm.origin) == MANAGED_ORIGIN,
                    link_id(vm.host), link_id(vm.cluster), clusters, data_centers)


def deploy_refusal(topology: Topology, name: str, cluster_id: Optional[str]) -> Optional[str]:
    """Why Hosted Engine must not be deployed on a host in cluster_id, or None."""
    if not topology.has_engine_vm:
        return ("the engine has no Hosted Engine VM (no VM with origin {} and none named {}), "
                "so there is nothing to deploy".format(" or ".join(HE_VM_ORIGINS), HE_VM_NAME))
    if not topology.vm_managed:
        return ("the engine VM {} is not managed by the engine yet (origin hosted_engine, not "
                "managed_hosted_engine), and the engine refuses new Hosted Engine hosts until "
                "it is (ACTION_TYPE_FAILED_UNMANAGED_HOSTED_ENGINE): add the first storage "
                "domain so the engine imports it".format(topology.vm_name))
    refusal = dc_refusal(topology, name, cluster_id)
    if refusal is not None:
        return refusal
    if cluster_id != topology.vm_cluster_id:
        return ("{} is in cluster {}, but the engine VM runs in cluster {}: a host with "
                "Hosted Engine deployed outside the engine VM's cluster is not allowed "
                "(ACTION_TYPE_FAILED_HOSTED_ENGINE_HOST_IN_ANOTHER_CLUSTER), even though the "
                "engine's install does not check it. Move the host to cluster {} first"
                .format(name, topology.cluster_name(cluster_id),
                        topology.cluster_name(topology.vm_cluster_id),
                        topology.cluster_name(topology.vm_cluster_id)))
    return None


def dc_refusal(topology: Topology, name: str, cluster_id: Optional[str]) -> Optional[str]:
    """The engine refuses to install a host that has or gets Hosted Engine outside the engine
    VM's data center (ACTION_TYPE_FAILED_HOSTED_ENGINE_HOST_IN_ANOTHER_DC)."""
    if not topology.has_engine_vm:
        return None
    host_dc = topology.dc_of(cluster_id)
    vm_dc = topology.dc_of(topology.vm_cluster_id)
    if host_dc == vm_dc:
        return None
    return ("{} is in cluster {} of data center {}, but the engine VM runs in data center {}: "
            "the engine refuses Hosted Engine on a host in another data center "
            "(ACTION_TYPE_FAILED_HOSTED_ENGINE_HOST_IN_ANOTHER_DC). Move the host to cluster "
            "{} first".format(name, topology.cluster_name(cluster_id),
                              topology.dc_name(host_dc), topology.dc_name(vm_dc),
                              topology.cluster_name(topology.vm_cluster_id)))


def ready_others(states: List[HostState], topology: Topology, host_id: str) -> List[HostState]:
    """Other hosts that could take the engine VM now: the engine's own test, among the up
    hosts of the engine VM's cluster (MaintenanceNumberOfVdssCommand)."""
    return [state for state in states
            if state.id != host_id and state.he_ready
            and (topology.vm_cluster_id is None or state.cluster_id == topology.vm_cluster_id)]
