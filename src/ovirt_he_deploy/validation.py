"""Check a deploy unit against what ovirt-ha-agent, the broker, VDSM and hosted-engine read.

Every refusal is for a reason that would break the host or run a command; RULES lists them
(README's "What the validator refuses" is generated from it and compared by a test), and
WARNINGS lists what is accepted but said. Evidence next to each check names the reader's
file and line at these commits of the mirrors: ovirt-hosted-engine-ha 9d39eb07c0 (HA),
ovirt-hosted-engine-setup af825aac21 (setup), vdsm fd4b0df20b (VDSM).
"""

import ipaddress
import re
import textwrap
from typing import Callable, Dict, List, NamedTuple, Optional, Set, Tuple

from . import confkeys, envkeys, safety
from .unit import DeployUnit, InvalidUnit, Problem, ValidUnit

# VDSM accepts only lower-case UUIDs (VDSM lib/vdsm/storage/misc.py:150, "having uuids with
# upper case letters will cause unexpected bug so we filter them out", :159-161).
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{12}$")
# Host names as resolvers take them: labels of letters, digits, '-' and '_' (engine FQDNs
# with '_' work: urllib, ping and nc pass the name to getaddrinfo), none starting with '-'
# (ping and nc would read it as an option, HA broker/submonitors/network.py:98-101,125-132).
HOSTNAME_PATTERN = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9_][A-Za-z0-9_-]{0,62}(?:\.[A-Za-z0-9_][A-Za-z0-9_-]{0,62})*"
    r"\.?$")
FILE_STORAGE_PATTERN = re.compile(r"^(?P<server>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+):(?P<path>/.*)$")
INTERFACE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
IQN_PATTERN = re.compile(r"^(iqn\.\d{4}-\d{2}\.[^:]+(:.+)?|eui\.[0-9A-Fa-f]{16}"
                         r"|naa\.[0-9A-Fa-f]{16,32})$")
# What int() reads (HA agent/hosted_engine.py:349, client/client.py:196) without blanks.
INT_PATTERN = re.compile(r"^\+?[0-9](?:_?[0-9])*$")
BLACKLIST_KEY = "iscsi_paths_blacklist"
BLACKLIST_SEPARATOR = "<>"
# hosted-engine uses ${vmid} and ${conf} (setup src/bin/hosted-engine.in:181-198, 44):
# for them bash's reading is the one that counts.
BASH_USED_KEYS = frozenset(("vmid", "conf"))
# hosted-engine reads ${type} when --type is not given (hosted-engine.in:466-468, 496-498).
SCRIPT_VARIABLES = frozenset(("type",))
# The NFS versions VDSM mounts, after the broker's v/_ rewrite (HA lib/storage_server.py:
# 100-107: 'v4_1' -> '4.1'; VDSM storageServer.py:505-515 takes one or two numbers).
NFS_VERSIONS_READ = ("auto", "3", "4", "4.0", "4.1", "4.2")

Check = Callable[[str, Dict[str, str]], Optional[Tuple[str, str]]]


class Rule(NamedTuple):
    """One thing the validator refuses, and why that would really hurt."""

    refuses: str
    because: str


RULES: Tuple[Rule, ...] = (
    Rule("`HOSTED_ENGINE/action` other than `deploy`, `remove` or `none` (absent means "
         "`none`)", "nothing could tell what the engine meant"),
    Rule("a value that is not text (`str:`; `int:` is taken as its digits)",
         "hosted-engine.conf holds text, and a bool or list has no line the engine meant"),
    Rule("a key that is not a shell identifier (letters, digits, `_`, not starting with a "
         "digit)", "`hosted-engine` sources the file with bash as root: `host-id=2` is a "
         "command, not an assignment"),
    Rule("a key without a lower-case letter (`PATH`, `IFS`, `UID`, `_`)",
         "bash gives those names a meaning: `IFS` or `PATH` would change the commands "
         "`hosted-engine` runs, `UID` is read-only"),
    Rule("a value with a control character (TAB, CR, LF, ESC, DEL, ...)",
         "CR ends a line for ovirt-ha-agent but not for bash, VT, FF and FS end one for the "
         "liveliness check, TAB and LF split it for bash; the rest are terminal escapes "
         "wherever the file is shown"),
    Rule("a non-ASCII value", "ovirt-ha-agent reads the file in the locale's encoding and "
         "stops on a byte it cannot decode"),
    Rule("a value that starts or ends with a blank",
         "ovirt-ha-agent strips it, so the broker would use another value"),
    Rule("a value bash would run or stop on: an unquoted blank or `;` `&` `|` `<` `>` `(` "
         "`)`, a backquote, `$(` `${` `$[` outside single quotes, an unbalanced quote, a "
         "trailing backslash (`<>` is allowed in `iscsi_paths_blacklist`)",
         "`hosted-engine` sources the file with bash as root, and the agent runs it to start "
         "the engine VM: it would run a command, or read the next lines into this value"),
    Rule("in `vmid` and `conf`, anything bash reads differently (quotes, `\\`, `$NAME`, a "
         "leading `~`)", "`hosted-engine` starts and checks the engine VM with `${vmid}` "
         "and `${conf}`"),
    Rule("a missing or empty required key (`fqdn`, `vmid`, `conf`, `host_id`, "
         "`domainType`, `spUUID`, `sdUUID`, `bridge`, the six metadata, lockspace and conf "
         "volume UUIDs; `storage` and `connectionUUID` for nfs and glusterfs; `storage`, "
         "`iqn`, `portal`, `port` for iscsi)", "the agent, the broker or `hosted-engine` "
         "fails without it (for `fqdn`: the liveliness check fails and the agent restarts "
         "the engine VM)"),
    Rule("`domainType` other than `nfs`, `nfs3`, `nfs4`, `glusterfs`, `iscsi`, `fc`",
         "the broker stops with \"Storage type not supported\""),
    Rule("`host_id` that is not an integer from 1 to 2000",
         "0 or empty means \"not configured\", a non-number stops the agent, the broker "
         "scans 2000 metadata slots"),
    Rule("`spUUID` other than the all-zero UUID", "a real pool id makes the agent run its "
         "3.5 upgrade path (score -1000, pool reconnects)"),
    Rule("a UUID key (`vmid`, `sdUUID`, `vm_disk_*`, `*_UUID`) that is not a lower-case "
         "UUID; a `connectionUUID` that is not a UUID (any case)", "VDSM takes only "
         "lower-case UUIDs and names its storage paths and VMs with them, so an upper-case "
         "one points at nothing; VDSM's API declares the connection id a UUID"),
    Rule("`fqdn` that is not a host name, an IPv4 address or a bracketed IPv6 address",
         "the liveliness check fetches `http://FQDN/...`; anything else connects elsewhere, "
         "the engine's health turns bad and the agent restarts the engine VM"),
    Rule("`gateway` or `tcp_t_address` that is not a host name or an IP address",
         "the broker hands them to ping and nc: a leading `-` is an option, anything else "
         "fails the network test"),
    Rule("`network_test` other than `ping`, `dns`, `tcp`, `none` or empty; no `gateway` "
         "for ping (the default); no `tcp_t_address` or `tcp_t_port` for tcp",
         "the broker refuses to start the network monitor"),
    Rule("`tcp_t_port` that is not a port from 1 to 65535", "nc fails every probe"),
    Rule("`storage` that is not `server:/path` (nfs, glusterfs) or a comma list of portal "
         "addresses (iscsi)", "VDSM mounts or logs in to exactly that"),
    Rule("with domainType nfs, an `nfs_version` the broker does not turn into auto, 3, 4, "
         "4.0, 4.1 or 4.2 (it drops `v` and reads `_` as `.`: `v4_1`, `4.1` and `4` are "
         "fine)", "VDSM refuses the mount"),
    Rule("`configured` other than `True` (absent is fine)", "the agent refuses to run"),
    Rule("`conf` that is not an absolute path",
         "the agent writes vm.conf there and `hosted-engine` reads it"),
    Rule("iSCSI `port` that is not a comma list of ports 1..65535, `portal` that is not a "
         "comma list of numbers", "VDSM reads each with int() and fails the connection"),
    Rule("iSCSI lists that do not pair up: with one `iqn`, `storage` and `port` of "
         "different lengths, or a `portal` list; with several (`iqn` with commas), "
         "`storage`, `port`, `iqn`, `portal` and, with CHAP, `user` and `password` of "
         "different lengths, or no `user` or `password` key at all",
         "the broker zips them by position and silently drops what does not pair, VDSM "
         "fails on a TPGT list, and a missing key stops the broker"),
    Rule("CHAP `user` without `password`, or the reverse",
         "VDSM logs in with CHAP and half the credentials, which cannot authenticate"),
    Rule("`iscsi_paths_blacklist` with an entry without `<>` (an empty value or a trailing "
         "comma included)", "the broker splits each entry at `<>` and fails on the missing "
         "half, so it never connects the storage"),
)

WARNINGS: Tuple[Rule, ...] = (
    Rule("a value bash reads differently (quotes, backslashes, `$NAME`, a leading `~`) in "
         "any key but `vmid` and `conf`, e.g. a CHAP password",
         "the agent and the broker read it as written; only `hosted-engine`'s bash reads "
         "another value, and it never uses that key"),
    Rule("`host_id` above 250, or written other than plainly (`02`, `+2`)",
         "the engine's default limit is 250; the agent reads the number with int()"),
    Rule("`bridge` longer than 15 characters or with characters no interface name has",
         "the broker looks it up among the host's interfaces (score -600 when missing)"),
    Rule("iSCSI with several targets and no CHAP",
         "the broker pairs the empty `user` and `password` with the first target only, so it "
         "connects that one alone"),
    Rule("an `iqn` entry that does not look like `iqn.`, `eui.` or `naa.`, and "
         "`iscsi_paths_blacklist` entries that can never match",
         "the broker passes them on as written"),
    Rule("`storage` ending with `/`, `conf` other than the default path, an unknown key "
         "named `type`", "the broker strips the `/`; the agent writes vm.conf at `conf`; "
         "`hosted-engine --get-shared-config` reads `${type}`"),
    Rule("`HOSTED_ENGINE_CONFIG/*` keys in a unit whose action is `none` (or absent) or "
         "`remove`", "they are not used"),
)


def _markdown(rules: Tuple[Rule, ...]) -> List[str]:
    lines: List[str] = []
    for rule in rules:
        lines.extend(textwrap.wrap("- {} \u2014 {}.".format(rule.refuses, rule.because),
                                   width=99, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False))
    return lines


def rules_markdown() -> str:
    """The README list of refusals and warnings, generated from RULES and WARNINGS."""
    return "\n".join(_markdown(RULES) + ["", "Accepted, with a warning:", ""] +
                     _markdown(WARNINGS)) + "\n"


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
    # HA agent/hosted_engine.py:348-349 and client/client.py:195-196: int(value) if value
    # else None (0 or empty: "not configured"); the broker scans MAX_HOST_ID_SCAN = 2000
    # slots (HA env/constants.py.in:25, broker/storage_broker.py:142).
    if not INT_PATTERN.match(value) or not (
            confkeys.HOST_ID_MIN <= int(value) <= confkeys.HOST_ID_MAX):
        return ("value {} is not an integer between {} and {}.".format(
            ascii(value), confkeys.HOST_ID_MIN, confkeys.HOST_ID_MAX),
            "send the host's vds_spm_id from the engine database, e.g. host_id=2.")
    return None


def check_uuid_shape(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # VDSM lib/vdsm/api/vdsm-api.yml:214-220 and the connection parameters: a UUID. The
    # broker passes connectionUUID as the connection id only (lib/storage_server.py:95), so
    # its case does not matter.
    if UUID_PATTERN.match(value):
        return None
    return ("value {} is not a UUID.".format(ascii(value)),
            "copy the UUID from the hosted-engine.conf of a running Hosted Engine host.")


def check_uuid(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    shape = check_uuid_shape(value, config)
    if shape:
        return shape
    # VDSM misc.py:150 (lower case only, validateUUID for sdUUID, imgUUID, volUUID: hsm.py:
    # 1392-1393, 2712); HA env/path.py:91-93 joins the mount path with sdUUID, and VDSM's
    # directories and VM ids are lower case.
    if value != value.lower():
        return ("value {} has upper-case letters; VDSM takes only lower-case UUIDs and names "
                "its storage paths with them, so this one points at nothing.".format(
                    ascii(value)), "write it in lower case: {}.".format(value.lower()))
    return None


def check_sp_uuid(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA lib/upgrade.py:1032-1035: a non-blank spUUID means "not up to date" -> upgrade path.
    if value == confkeys.BLANK_POOL_UUID:
        return None
    return ("value {} is not the blank pool UUID; a real storage pool id makes "
            "ovirt-ha-agent run its 3.5 upgrade path (score -1000, pool reconnects).".format(
                ascii(value)),
            "set spUUID={}.".format(confkeys.BLANK_POOL_UUID))


def check_domain_type(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA lib/storage_server.py:353-374: anything else raises "Storage type not supported".
    if value in confkeys.DOMAIN_TYPES:
        return None
    return ("value {} is not a storage type ovirt-ha-broker supports.".format(ascii(value)),
            "use one of {} (posixfs and others are rejected by the broker).".format(
                ", ".join(confkeys.DOMAIN_TYPES)))


def check_storage(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA lib/storage_server.py:91-93,120-132: the connection VDSM mounts is this value
    # (normpath'ed); iSCSI: each comma entry is a portal address (:309-319).
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


def check_fqdn(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # setup check_liveliness.py:168-176 fetches http://{fqdn}/ovirt-engine/services/health;
    # a bare IPv6 address there is read as host:port, so the check connects elsewhere,
    # the broker's engine-health turns bad and the agent restarts the engine VM.
    if is_host(value) and ":" not in value:
        return None
    if value.startswith("[") and value.endswith("]") and ":" in value and \
            is_address(value[1:-1]):
        return None
    return ("value {} is not a host name, an IPv4 address or a bracketed IPv6 address; "
            "hosted-engine --check-liveliness fetches http://{}/ovirt-engine/services/health"
            ", which would go elsewhere.".format(ascii(value), safety.printable(value)),
            "write the engine VM's FQDN, e.g. fqdn=engine.example.com.")


def check_host(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA broker/submonitors/network.py:98-101 (ping) and :125-132 (nc) pass the value as
    # one argument.
    if is_host(value):
        return None
    return ("value {} is neither an IP address nor a host name.".format(ascii(value)),
            "write an IP address or a fully qualified host name.")


def check_conf(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA env/config.py:49: the agent writes vm.conf at this path; hosted-engine.in:44,196.
    if value.startswith("/"):
        return None
    return ("value {} is not an absolute path.".format(ascii(value)),
            "set conf={}.".format(confkeys.DEFAULT_VM_CONF))


def check_network_test(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA broker/submonitors/network.py:51-59: empty means ping, unknown raises.
    if value in confkeys.NETWORK_TESTS or value == "":
        return None
    return ("value {} is not a network test ovirt-ha-broker knows.".format(ascii(value)),
            "use one of {}.".format(", ".join(confkeys.NETWORK_TESTS)))


def check_tcp_port(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA broker/submonitors/network.py:125-132: nc -z ADDRESS PORT.
    if value == "" or is_port(value):
        return None
    return ("value {} is not a TCP port between 1 and 65535.".format(ascii(value)),
            "write the port as a number, e.g. 443.")


def nfs_version_read(value: str) -> str:
    """The NFS version the broker hands VDSM (HA lib/storage_server.py:100-107)."""
    return "auto" if value == "" else value.replace("v", "").replace("_", ".")


def check_nfs_version(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # Used only with domainType nfs (HA lib/storage_server.py:98-107); VDSM takes one or two
    # numbers (storageServer.py:505-515) and the kernel mounts 3, 4, 4.0, 4.1, 4.2.
    if config.get("domainType") != "nfs" or nfs_version_read(value) in NFS_VERSIONS_READ:
        return None
    return ("value {} is read by ovirt-ha-broker as NFS version {}, which VDSM cannot "
            "mount.".format(ascii(value), ascii(nfs_version_read(value))),
            "use one of auto, v3, v4, v4_0, v4_1, v4_2 (or 3, 4, 4.1, ...), or leave it "
            "empty for auto.")


def check_configured(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA agent/hosted_engine.py:354-357: configured is None or == "True".
    if value == "True":
        return None
    return ("value {} makes ovirt-ha-agent refuse to run: only an absent key or exactly "
            "'True' means configured.".format(ascii(value)), "drop the configured line.")


def check_iscsi_ports(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # VDSM storageServer.py:1072: int(port).
    if value == "" or all(is_port(item) for item in comma_list(value)):
        return None
    return ("value {} is not a comma list of TCP ports.".format(ascii(value)),
            "write e.g. port=3260.")


def check_portal(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # VDSM storageServer.py:1074: int(tpgt).
    if value == "" or all(safety.is_digits(item) for item in comma_list(value)):
        return None
    return ("value {} is not a comma list of target portal group tags (numbers); the "
            "portal address belongs in storage.".format(ascii(value)), "write e.g. portal=1.")


def check_blacklist(value: str, config: Dict[str, str]) -> Optional[Tuple[str, str]]:
    # HA lib/storage_server.py:76-88: every comma entry is split at '<>' and its second
    # part taken; an IndexError is not caught, so the broker never connects the storage
    # (lib/storage_backends.py:373). An empty value is one empty entry.
    for pair in comma_list(value.strip()):
        if BLACKLIST_SEPARATOR not in pair:
            return ("entry {} has no '<>'; ovirt-ha-broker splits every entry at '<>' and "
                    "fails on this one, so it never connects the storage.".format(
                        ascii(pair)),
                    "write comma-separated <iface><><portal address> pairs, e.g. "
                    "iscsi_paths_blacklist=eth1<>192.0.2.10, or drop the key.")
    return None


VALUE_CHECKS: Dict[str, Check] = {
    "host_id": check_host_id,
    "spUUID": check_sp_uuid,
    "domainType": check_domain_type,
    "storage": check_storage,
    "fqdn": check_fqdn,
    "gateway": check_host,
    "tcp_t_address": check_host,
    "conf": check_conf,
    "network_test": check_network_test,
    "tcp_t_port": check_tcp_port,
    "nfs_version": check_nfs_version,
    "configured": check_configured,
    "port": check_iscsi_ports,
    "portal": check_portal,
    BLACKLIST_KEY: check_blacklist,
}
VALUE_CHECKS.update({key: check_uuid for key in confkeys.UUID_KEYS})
VALUE_CHECKS["connectionUUID"] = check_uuid_shape
# Empty values are "not set" for every check but these, where empty is itself wrong.
CHECKED_WHEN_EMPTY = frozenset(("configured", BLACKLIST_KEY))


class _Collector:
    """Gathers problems, warnings and notes while one unit is checked."""

    def __init__(self) -> None:
        self.problems: List[Problem] = []
        self.warnings: List[str] = []
        self.notes: List[str] = []
        # Keys whose value was refused: already reported, so not "missing" as well.
        self.refused: Set[str] = set()

    def problem(self, conf_key: str, message: str, fix: str) -> None:
        self.problems.append(Problem(safety.printable(envkeys.config_key(conf_key)),
                                     message, fix))


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


def _value_refusal(key: str, value: str) -> Tuple[Optional[str], Optional[str]]:
    """(why the value is refused, why bash reads it differently) for one safe key."""
    reason = safety.value_problem(value)
    if reason:
        return reason, None
    reading = safety.bash_reading(value, redirect_pairs=key == BLACKLIST_KEY)
    if reading.refused:
        return "has {}".format(reading.refused), None
    if reading.differs and key in BASH_USED_KEYS:
        return ("is read differently by bash ({}), and hosted-engine uses ${{{}}} to start "
                "and check the engine VM".format(reading.differs, key)), None
    return None, reading.differs


def _value_fix(key: str) -> str:
    if key in envkeys.SECRET_CONF_KEYS:
        return ("change the CHAP {} (on the storage too): hosted-engine sources this file "
                "with bash as root, so it must not hold control characters, non-ASCII, outer "
                "blanks, unquoted blanks or ; & | < > ( ), backquotes, $( ${{ $[, an "
                "unbalanced quote or a trailing backslash.".format(key))
    return ("change the value: hosted-engine sources this file with bash as root and "
            "ovirt-ha-agent reads it as ASCII, so values hold no control characters, "
            "non-ASCII, outer blanks, unquoted blanks or ; & | < > ( ), backquotes, $( ${ $[, "
            "unbalanced quotes or a trailing backslash.")


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
                safety.printable(envkeys.config_key(key)),
                "the key {} {}.".format(ascii(key), key_reason),
                "hosted-engine.conf keys are shell identifiers such as host_id; "
                "remove or rename this key."))
            continue
        value = _as_text(collector, key, raw)
        if value is None:
            collector.refused.add(key)
            continue
        reason, differs = _value_refusal(key, value)
        if reason:
            collector.problem(key, "value {} {}.".format(shown(key, value), reason),
                              _value_fix(key))
            collector.refused.add(key)
            continue
        if differs:
            secret = key in envkeys.SECRET_CONF_KEYS
            collector.warnings.append(
                "{}: hosted-engine's bash reads another value from this line{}; "
                "ovirt-ha-agent and ovirt-ha-broker read it as written, and hosted-engine "
                "never uses {}.".format(key, "" if secret else " ({})".format(differs), key))
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
    # HA broker/submonitors/network.py:63-70: ping needs an address, tcp both tcp_t_*.
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


def _lengths(config: Dict[str, str], keys: Tuple[str, ...]) -> Dict[str, int]:
    return {key: len(comma_list(config.get(key, ""))) for key in keys}


def _check_iscsi(collector: _Collector, config: Dict[str, str]) -> None:
    if config.get("domainType") != "iscsi":
        return
    user, password = config.get("user", ""), config.get("password", "")
    # VDSM storageServer.py:1088-1096 and iscsi.py:321-329: either one set means CHAP with
    # only what is set.
    if bool(user) != bool(password) and not collector.refused & {"user", "password"}:
        missing = "password" if user else "user"
        collector.problem(missing, "is empty while {} is set; iSCSI CHAP needs both.".format(
            "user" if user else "password"), "send both user and password, or neither.")
    if collector.refused & {"storage", "port", "portal", "iqn"}:
        return
    if "," not in config.get("iqn", ""):
        _check_single_target(collector, config)
    else:
        _check_multi_target(collector, config)


def _check_single_target(collector: _Collector, config: Dict[str, str]) -> None:
    # HA lib/storage_server.py:309-313 zips storage with port only; :320 passes portal as
    # one TPGT, which VDSM reads with int() (storageServer.py:1074).
    lengths = _lengths(config, ("storage", "port"))
    if lengths["storage"] != lengths["port"]:
        collector.problem("port", "has {} entries but storage has {} portal addresses; "
                          "ovirt-ha-broker pairs them by position and drops what does not "
                          "pair.".format(lengths["port"], lengths["storage"]),
                          "give one port per storage address, e.g. port=3260,3260.")
    if "," in config.get("portal", ""):
        collector.problem("portal", "is a list, but with a single iqn ovirt-ha-broker passes "
                          "it as one target portal group tag, which VDSM cannot read.",
                          "give one tag, e.g. portal=1.")


def _check_multi_target(collector: _Collector, config: Dict[str, str]) -> None:
    # HA lib/storage_server.py:267-283: storage, port, iqn, portal, user and password are
    # split at ',' and zipped, so the shortest list decides how many targets are used,
    # and a missing user or password (None.split) stops the broker.
    lengths = _lengths(config, ("storage", "port", "iqn", "portal"))
    if len(set(lengths.values())) != 1:
        collector.problem("iqn", "has {} targets but storage, port and portal have {}, "
                          "{} and {} entries; ovirt-ha-broker pairs them by position and "
                          "drops what does not pair.".format(
                              lengths["iqn"], lengths["storage"], lengths["port"],
                              lengths["portal"]),
                          "give storage, port, iqn and portal one entry per target.")
    for key in ("user", "password"):
        if key not in config and key not in collector.refused:
            collector.problem(key, "is missing; with several targets ovirt-ha-broker splits "
                              "it at ',' and stops without it.",
                              "send {} (empty for no CHAP).".format(envkeys.config_key(key)))
    if not config.get("user") and not config.get("password"):
        collector.warnings.append(
            "iqn lists {} targets but there is no CHAP user or password: ovirt-ha-broker "
            "pairs the empty user and password with the first target only, so it connects "
            "that target alone.".format(lengths["iqn"]))
        return
    for key in ("user", "password"):
        if key in config and key not in collector.refused and \
                len(comma_list(config[key])) != lengths["iqn"]:
            collector.problem(key, "has {} comma-separated entries but iqn lists {} "
                              "targets; ovirt-ha-broker pairs them by position.".format(
                                  len(comma_list(config[key])), lengths["iqn"]),
                              "give one CHAP {} per target, comma-separated (so no "
                              "single {} may contain a comma).".format(key, key))


def _check_values(collector: _Collector, config: Dict[str, str]) -> None:
    for key, value in config.items():
        check = VALUE_CHECKS.get(key)
        if check is None or (value == "" and key not in CHECKED_WHEN_EMPTY):
            continue
        result = check(value, config)
        if result:
            collector.problem(key, result[0], result[1])
            collector.refused.add(key)


def _warn_blacklist(collector: _Collector, config: Dict[str, str]) -> None:
    # HA lib/storage_server.py:83-87 keeps the first two parts of each entry; :302-305
    # compares them with the iSCSI interface and the storage entry.
    portals = set(comma_list(config.get("storage", "")))
    for pair in comma_list(config.get(BLACKLIST_KEY, "").strip()):
        parts = pair.split(BLACKLIST_SEPARATOR)
        if len(parts) > 2:
            collector.warnings.append("iscsi_paths_blacklist entry {}: ovirt-ha-broker uses "
                                      "only {}.".format(pair, BLACKLIST_SEPARATOR.join(
                                          parts[:2])))
        elif config.get("domainType") == "iscsi" and parts[1] not in portals:
            collector.warnings.append("iscsi_paths_blacklist entry {} never matches: {} is "
                                      "not one of the storage addresses.".format(
                                          pair, parts[1]))


def _warn(collector: _Collector, config: Dict[str, str]) -> None:
    host_id = config.get("host_id", "")
    if INT_PATTERN.match(host_id):
        if host_id != str(int(host_id)):
            collector.warnings.append("host_id={} is read by ovirt-ha-agent as {}; write "
                                      "host_id={}.".format(host_id, int(host_id),
                                                           int(host_id)))
        if int(host_id) > confkeys.ENGINE_DEFAULT_HOST_LIMIT:
            collector.warnings.append(
                "host_id={} is above {}, the engine's default MaxNumberOfHostsInStoragePool; "
                "check it is really this host's vds_spm_id.".format(
                    int(host_id), confkeys.ENGINE_DEFAULT_HOST_LIMIT))
    storage = config.get("storage", "")
    # HA lib/storage_server.py:120-132 normpath()s it and logs the fix.
    if config.get("domainType") in confkeys.FILE_DOMAIN_TYPES and storage.endswith("/") \
            and not storage.endswith(":/"):
        collector.warnings.append(
            "storage={} ends with '/'; ovirt-ha-broker strips it.".format(storage))
    conf = config.get("conf")
    if conf and conf != confkeys.DEFAULT_VM_CONF:
        collector.warnings.append("conf={} differs from {}, where ovirt-ha-agent writes "
                                  "vm.conf.".format(conf, confkeys.DEFAULT_VM_CONF))
    bridge = config.get("bridge", "")
    # HA broker/submonitors/mgmt_bridge.py:59 looks the name up among the host's
    # interfaces; Linux names are at most 15 characters (IFNAMSIZ 16).
    if bridge and not INTERFACE_PATTERN.match(bridge):
        collector.warnings.append(
            "bridge={} is no Linux interface name (at most 15 letters, digits, '_', '.', "
            "'-'); ovirt-ha-broker looks it up among the host's interfaces and lowers the "
            "score by 600 when it is missing.".format(bridge))
    if config.get("domainType") == "iscsi":
        odd = [item for item in comma_list(config.get("iqn", "")) if not IQN_PATTERN.match(item)]
        if odd:
            collector.warnings.append("iqn entry {} does not look like an iSCSI name (iqn., "
                                      "eui., naa.); ovirt-ha-broker passes it on as "
                                      "written.".format(odd[0]))
    if BLACKLIST_KEY in config:
        _warn_blacklist(collector, config)
    for key in sorted(SCRIPT_VARIABLES & set(config)):
        collector.warnings.append(
            "{0}: hosted-engine reads ${{{0}}} as its own variable (--get-shared-config and "
            "--set-shared-config without --type use it).".format(key))


def _unused_config(unit: DeployUnit, action: str) -> Tuple[str, ...]:
    if not unit.config:
        return ()
    names = " ".join(safety.printable(str(key)) for key, _ in unit.config)
    why = ("HOSTED_ENGINE/action is absent, which means none" if unit.action is None
           else "HOSTED_ENGINE/action is {}".format(action))
    return ("{} HOSTED_ENGINE_CONFIG/* key{} will not be used: {} ({}). Set "
            "HOSTED_ENGINE/action=str:deploy to deploy them, or drop them.".format(
                len(unit.config), "" if len(unit.config) == 1 else "s", why, names),)


def validate(unit: DeployUnit) -> Tuple[Optional[ValidUnit], List[Problem]]:
    """Check a unit. Returns the valid unit, or None and every problem found."""
    action, action_problem = check_action(unit.action)
    if action_problem is not None or action is None:
        return None, [action_problem] if action_problem else []
    if action != envkeys.ACTION_DEPLOY:
        return ValidUnit(action=action, warnings=_unused_config(unit, action)), []
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
