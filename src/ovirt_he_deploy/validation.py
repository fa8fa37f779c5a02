"""Check a deploy unit against everything ovirt-ha-agent, the broker and the CLI need."""

import ipaddress
import re
from typing import Callable, Dict, List, Optional, Set, Tuple

from . import confkeys, envkeys, safety
from .unit import DeployUnit, InvalidUnit, Problem, ValidUnit

UUID_PATTERN = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HOSTNAME_PATTERN = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")
FILE_STORAGE_PATTERN = re.compile(r"^(?P<server>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+):(?P<path>/.*)$")
IFACE_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
BRIDGE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
IQN_PATTERN = re.compile(r"^(iqn\.\d{4}-\d{2}\.[A-Za-z0-9.-]+(:[A-Za-z0-9.:_-]+)?"
                         r"|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$")
BLACKLIST_SEPARATOR = "<>"

Check = Callable[[str, Dict[str, str]], Optional[Tuple[str, str]]]


def shown(key: str, value: object) -> str:
    """A value as messages may show it: secrets never, everything else escaped."""
    if key in envkeys.SECRET_CONF_KEYS or key in envkeys.SECRET_ENV_KEYS:
        return "(hidden)"
    return ascii(value)


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_host(text: str) -> bool:
    return is_address(text) or bool(HOSTNAME_PATTERN.match(text))


def is_port(text: str) -> bool:
    return safety.is_digits(text) and 1 <= int(text) <= 65535


def comma_list(text: str) -> List[str]:
    return text.split(",")


# -- per-key checks: (message, fix) or None --------------------------------------------


def check_host_id(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if not safety.is_digits(value) or not (
            confkeys.HOST_ID_MIN <= int(value) <= confkeys.HOST_ID_MAX):
        return ("value {} is not a decimal host id between {} and {}.".format(
            ascii(value), confkeys.HOST_ID_MIN, confkeys.HOST_ID_MAX),
            "send the host's vds_spm_id from the engine database, e.g. host_id=2.")
    if value != str(int(value)):
        return ("value {} has leading zeros.".format(ascii(value)),
                "write the id as a plain decimal number, e.g. host_id={}.".format(int(value)))
    return None


def check_uuid(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if UUID_PATTERN.match(value):
        return None
    return ("value {} is not a UUID.".format(ascii(value)),
            "copy the UUID from the hosted-engine.conf of a running Hosted Engine host.")


def check_sp_uuid(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == confkeys.BLANK_POOL_UUID:
        return None
    return ("value {} is not the blank pool UUID; a real storage pool id makes "
            "ovirt-ha-agent run its 3.5 upgrade path (score -1000, pool reconnects).".format(
                ascii(value)),
            "set spUUID={}.".format(confkeys.BLANK_POOL_UUID))


def check_domain_type(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value in confkeys.DOMAIN_TYPES:
        return None
    return ("value {} is not a storage type ovirt-ha-broker supports.".format(ascii(value)),
            "use one of {} (posixfs and others are rejected by the broker).".format(
                ", ".join(confkeys.DOMAIN_TYPES)))


def check_storage(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    domain_type = config.get("domainType", "")
    if domain_type in confkeys.FILE_DOMAIN_TYPES:
        match = FILE_STORAGE_PATTERN.match(value)
        server = match.group("server") if match else ""
        # Brackets are only for IPv6 addresses, whose ':' would end the server part.
        if server.startswith("["):
            server_ok = ":" in server and is_address(server[1:-1])
        else:
            server_ok = is_host(server)
        if not match or not server_ok:
            return ("value {} is not a {} path of the form server:/path.".format(
                ascii(value), domain_type),
                "write e.g. storage=nfs.example.com:/exports/he.")
    elif domain_type == "iscsi":
        bad = [item for item in comma_list(value) if not is_host(item)]
        if bad:
            return ("value {} is not a comma list of iSCSI portal addresses ({} is not an "
                    "address).".format(ascii(value), ascii(bad[0])),
                    "write e.g. storage=192.0.2.10 or storage=192.0.2.10,192.0.2.11.")
    return None


def check_bridge(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if BRIDGE_PATTERN.match(value):
        return None
    return ("value {} is not a network interface name (at most 15 of letters, digits, "
            "'_', '.', '-').".format(ascii(value)), "use the management bridge, e.g. ovirtmgmt.")


def check_host(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if is_host(value):
        return None
    return ("value {} is neither an IP address nor a host name.".format(ascii(value)),
            "write an IP address or a fully qualified host name.")


def check_conf(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value.startswith("/"):
        return None
    return ("value {} is not an absolute path.".format(ascii(value)),
            "set conf={}.".format(confkeys.DEFAULT_VM_CONF))


def check_network_test(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value in confkeys.NETWORK_TESTS or value == "":
        return None
    return ("value {} is not a network test ovirt-ha-broker knows.".format(ascii(value)),
            "use one of {}.".format(", ".join(confkeys.NETWORK_TESTS)))


def check_tcp_port(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == "" or is_port(value):
        return None
    return ("value {} is not a TCP port between 1 and 65535.".format(ascii(value)),
            "write the port as a number, e.g. 443.")


def check_nfs_version(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == "" or value in confkeys.NFS_VERSIONS:
        return None
    return ("value {} is not an NFS version ovirt-ha-broker knows.".format(ascii(value)),
            "use one of {}, or leave it empty for auto.".format(", ".join(confkeys.NFS_VERSIONS)))


def check_configured(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == "True":
        return None
    return ("value {} makes ovirt-ha-agent refuse to run: only an absent key or exactly "
            "'True' means configured.".format(ascii(value)), "drop the configured line.")


def check_iscsi_ports(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == "" or all(is_port(item) for item in comma_list(value)):
        return None
    return ("value {} is not a comma list of TCP ports.".format(ascii(value)),
            "write e.g. port=3260.")


def check_portal(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == "" or all(safety.is_digits(item) for item in comma_list(value)):
        return None
    return ("value {} is not a comma list of target portal group tags (numbers); the "
            "portal address belongs in storage.".format(ascii(value)), "write e.g. portal=1.")


def check_iqn(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    if value == "" or all(IQN_PATTERN.match(item) for item in comma_list(value)):
        return None
    return ("value {} is not an iSCSI target name (iqn.YYYY-MM.domain:name, eui. or "
            "naa.).".format(ascii(value)), "copy the target name from the storage, "
            "e.g. iqn.2024-01.com.example:he.")


def check_blacklist(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    fix = ("write comma-separated <iface><><portal address> pairs, "
           "e.g. iscsi_paths_blacklist=eth1<>192.0.2.10.")
    for pair in comma_list(value) if value else []:
        iface, separator, address = pair.partition(BLACKLIST_SEPARATOR)
        if not separator or not IFACE_PATTERN.match(iface) or not is_address(address):
            return ("entry {} is not an <iface><><portal address> pair.".format(ascii(pair)), fix)
    return None


VALUE_CHECKS: Dict[str, Check] = {
    "host_id": check_host_id,
    "spUUID": check_sp_uuid,
    "domainType": check_domain_type,
    "storage": check_storage,
    "bridge": check_bridge,
    "fqdn": check_host,
    "gateway": check_host,
    "tcp_t_address": check_host,
    "conf": check_conf,
    "network_test": check_network_test,
    "tcp_t_port": check_tcp_port,
    "nfs_version": check_nfs_version,
    "configured": check_configured,
    "port": check_iscsi_ports,
    "portal": check_portal,
    "iqn": check_iqn,
    "iscsi_paths_blacklist": check_blacklist,
}
VALUE_CHECKS.update({key: check_uuid for key in confkeys.UUID_KEYS})

# Only this key may carry '<' and '>', as the HA broker's iface/address separator.
ALLOWED_SPECIAL = {"iscsi_paths_blacklist": frozenset("<>")}


class _Collector:
    """Gathers problems, warnings and notes while one unit is checked."""

    def __init__(self) -> None:
        self.problems: List[Problem] = []
        self.warnings: List[str] = []
        self.notes: List[str] = []
        # Keys whose value was refused: already reported, so not "missing" as well.
        self.refused: Set[str] = set()

    def problem(self, conf_key: str, message: str, fix: str) -> None:
        self.problems.append(Problem(envkeys.config_key(conf_key), message, fix))


def check_action(raw: object) -> Tuple[Optional[str], Optional[Problem]]:
    """The action as a string, or the problem with it. Absent means none."""
    if raw is None:
        return envkeys.ACTION_NONE, None
    if isinstance(raw, str) and raw in envkeys.ACTIONS:
        return raw, None
    return None, Problem(
        envkeys.ACTION.name,
        "value {} is not an action.".format(ascii(raw)),
        "send one of {} (as str).".format(", ".join(envkeys.ACTIONS)))


def _as_text(collector: _Collector, key: str, raw: object) -> Optional[str]:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    collector.problem(key, "value {} has type {}, not a string.".format(
        shown(key, raw), type(raw).__name__), "send the value as str:VALUE.")
    return None


def _safe_entries(collector: _Collector, unit: DeployUnit) -> Dict[str, str]:
    """Drop legacy keys, refuse unsafe keys and values, return the rest as text."""
    config: Dict[str, str] = {}
    for key, raw in unit.config:
        if key in confkeys.LEGACY_KEYS:
            collector.notes.append(
                "{} dropped: legacy key no reader uses any more.".format(key))
            continue
        key_reason = safety.key_problem(key)
        if key_reason:
            collector.problems.append(Problem(
                envkeys.config_key(key), "the key {} {}.".format(ascii(key), key_reason),
                "hosted-engine.conf keys are shell identifiers such as host_id; "
                "remove or rename this key."))
            continue
        value = _as_text(collector, key, raw)
        if value is None:
            collector.refused.add(key)
            continue
        reason = safety.unsafe_char(value, ALLOWED_SPECIAL.get(key, frozenset()))
        if reason:
            fix = ("hosted-engine.conf is sourced by bash as root and read by three other "
                   "parsers, so values must be printable ASCII without blanks or shell "
                   "characters ($ ` \\ ' \" ; & | < > ( ) ~); change the value.")
            if key == "password":
                fix = ("a CHAP password with such characters cannot be written safely to "
                       "hosted-engine.conf (no quoting works for both bash and ovirt-ha-broker);"
                       " choose a CHAP password of letters, digits and -_.,:+=@%^*!#/")
            collector.problem(key, "value {} {}.".format(shown(key, value), reason), fix)
            collector.refused.add(key)
            continue
        config[key] = value
    return config


def _check_presence(collector: _Collector, config: Dict[str, str]) -> None:
    domain_type = config.get("domainType", "")
    for key in confkeys.required_keys(domain_type):
        if not config.get(key) and key not in collector.refused:
            collector.problem(key, "is {}; it is required{}: {}.".format(
                "empty" if key in config else "missing",
                " for domainType={}".format(domain_type) if key not in
                confkeys.REQUIRED_ALWAYS else "", confkeys.meaning(key)),
                "send {} in the deploy unit (see the hosted-engine.conf of a running "
                "Hosted Engine host).".format(envkeys.config_key(key)))
    if "network_test" in collector.refused:
        return
    network_test = config.get("network_test") or "ping"
    if network_test == "ping" and not config.get("gateway") and "gateway" not in collector.refused:
        collector.problem("gateway", "is missing; the ping network test (the default) "
                          "needs an address to probe.",
                          "send the gateway address, or choose another network_test.")
    if network_test == "tcp":
        for key in ("tcp_t_address", "tcp_t_port"):
            if not config.get(key) and key not in collector.refused:
                collector.problem(key, "is missing; network_test=tcp needs {}.".format(
                    confkeys.meaning(key)), "send {}.".format(envkeys.config_key(key)))


def _check_iscsi(collector: _Collector, config: Dict[str, str]) -> None:
    if config.get("domainType") != "iscsi":
        return
    user, password = config.get("user", ""), config.get("password", "")
    if bool(user) != bool(password) and not collector.refused & {"user", "password"}:
        missing = "password" if user else "user"
        collector.problem(missing, "is empty while {} is set; iSCSI CHAP needs both.".format(
            "user" if user else "password"), "send both user and password, or neither.")
    if "," in config.get("iqn", "") and not collector.refused & {"storage", "port", "portal"}:
        lengths = {key: len(comma_list(config.get(key, ""))) for key in
                   ("storage", "port", "iqn", "portal")}
        if len(set(lengths.values())) != 1:
            collector.problem("iqn", "has {} targets but storage, port and portal have {}, "
                              "{} and {} entries.".format(lengths["iqn"], lengths["storage"],
                                                          lengths["port"], lengths["portal"]),
                              "give storage, port, iqn and portal one entry per target.")
        # In multi-target mode ovirt-ha-broker pairs the CHAP lists with the targets by
        # position too (hosted-engine-conf.md §2): a short list silently drops targets.
        for key in ("user", "password"):
            if config.get(key) and key not in collector.refused and \
                    len(comma_list(config[key])) != lengths["iqn"]:
                collector.problem(key, "has {} comma-separated entries but iqn lists {} "
                                  "targets; ovirt-ha-broker pairs them by position.".format(
                                      len(comma_list(config[key])), lengths["iqn"]),
                                  "give one CHAP {} per target, comma-separated (so no "
                                  "single {} may contain a comma).".format(key, key))


def _check_values(collector: _Collector, config: Dict[str, str]) -> None:
    for key, value in config.items():
        check = VALUE_CHECKS.get(key)
        if check is None or (value == "" and key != "configured"):
            continue
        result = check(value, config)
        if result:
            collector.problem(key, result[0], result[1])


def _warn(collector: _Collector, config: Dict[str, str]) -> None:
    host_id = config.get("host_id", "")
    if host_id.isdigit() and int(host_id) > confkeys.ENGINE_DEFAULT_HOST_LIMIT:
        collector.warnings.append(
            "host_id={} is above {}, the engine's default MaxNumberOfHostsInStoragePool; "
            "check it is really this host's vds_spm_id.".format(
                host_id, confkeys.ENGINE_DEFAULT_HOST_LIMIT))
    storage = config.get("storage", "")
    if config.get("domainType") in confkeys.FILE_DOMAIN_TYPES and storage.endswith("/") \
            and not storage.endswith(":/"):
        collector.warnings.append(
            "storage={} ends with '/'; ovirt-ha-broker strips it.".format(storage))
    conf = config.get("conf")
    if conf and conf != confkeys.DEFAULT_VM_CONF:
        collector.warnings.append("conf={} differs from {}, where ovirt-ha-agent writes "
                                  "vm.conf.".format(conf, confkeys.DEFAULT_VM_CONF))


def validate(unit: DeployUnit) -> Tuple[Optional[ValidUnit], List[Problem]]:
    """Check a unit. Returns the valid unit, or None and every problem found."""
    action, action_problem = check_action(unit.action)
    if action_problem is not None or action is None:
        return None, [action_problem] if action_problem else []
    if action != envkeys.ACTION_DEPLOY:
        return ValidUnit(action=action), []
    collector = _Collector()
    config = _safe_entries(collector, unit)
    _check_presence(collector, config)
    _check_values(collector, config)
    _check_iscsi(collector, config)
    if collector.problems:
        return None, collector.problems
    _warn(collector, config)
    entries = tuple(sorted(config.items(), key=lambda item: confkeys.order_key(item[0])))
    unknown = tuple(key for key, _ in entries if key not in confkeys.KNOWN_KEYS)
    dropped = tuple(key for key, _ in unit.config if key in confkeys.LEGACY_KEYS)
    return ValidUnit(action=action, entries=entries, warnings=tuple(collector.warnings),
                     notes=tuple(collector.notes), unknown_keys=unknown,
                     dropped_keys=dropped), []


def check(unit: DeployUnit) -> ValidUnit:
    """The valid unit, or InvalidUnit listing every problem."""
    valid, problems = validate(unit)
    if valid is None:
        raise InvalidUnit(problems)
    return valid
