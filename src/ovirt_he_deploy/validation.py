"""Check a deploy unit against what ovirt-ha-agent, the broker, VDSM and hosted-engine read.

Every refusal is for a reason that would break the host or run a command (rules.RULES lists
them, rules.WARNINGS what is accepted but said); the per-key checks are in keychecks. Evidence
next to each check names the reader's file and line at these commits of the mirrors:
ovirt-hosted-engine-ha 9d39eb07c0 (HA), ovirt-hosted-engine-setup af825aac21 (setup), vdsm
fd4b0df20b (VDSM).
"""

import collections

from . import confkeys, envkeys, keynames, safety
from .compat import INTEGER_TYPES, TEXT_TYPES, TYPE_CHECKING, ascii
from .keychecks import (
    BASH_USED_KEYS,
    BLACKLIST_KEY,
    BLACKLIST_SEPARATOR,
    CHECKED_WHEN_EMPTY,
    INT_PATTERN,
    INTERFACE_PATTERN,
    IQN_PATTERN,
    SCRIPT_VARIABLES,
    VALUE_CHECKS,
    comma_list,
    shown,
)
from .unit import DeployUnit, InvalidUnit, Problem, ValidUnit

if TYPE_CHECKING:
    from typing import Dict, List, Mapping, Optional, Set, Tuple


class _Collector(object):
    """Gathers problems, warnings and notes while one unit is checked."""

    def __init__(self):
        # type: () -> None
        self.problems = []  # type: List[Problem]
        self.warnings = []  # type: List[str]
        self.notes = []  # type: List[str]
        # Keys whose value was refused: already reported, so not "missing" as well.
        self.refused = set()  # type: Set[str]

    def problem(self, conf_key, message, fix):
        # type: (str, str, str) -> None
        self.problems.append(Problem(safety.printable(envkeys.config_key(conf_key)),
                                     message, fix))


def check_action(raw):
    # type: (object) -> Tuple[Optional[str], Optional[Problem]]
    """The action as a string, or the problem with it. Absent means none."""
    if raw is None:
        return envkeys.ACTION_NONE, None
    if isinstance(raw, TEXT_TYPES) and raw in envkeys.ACTIONS:
        return raw, None
    return None, Problem(
        envkeys.ACTION.name,
        "value {} is not an action.".format(ascii(raw)),
        "send one of {} (as str).".format(", ".join(envkeys.ACTIONS)))


def _as_text(collector, key, raw):
    # type: (_Collector, str, object) -> Optional[str]
    if isinstance(raw, TEXT_TYPES):
        return raw
    if isinstance(raw, INTEGER_TYPES) and not isinstance(raw, bool):
        return str(raw)
    collector.problem(key, "value {} has type {}, not a string.".format(
        shown(key, raw), type(raw).__name__), "send the value as str:VALUE.")
    return None


def _value_refusal(key, value):
    # type: (str, str) -> Tuple[Optional[str], Optional[str]]
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


def _value_fix(key):
    # type: (str) -> str
    if key in envkeys.SECRET_CONF_KEYS:
        return ("change the CHAP {} (on the storage too): hosted-engine sources this file "
                "with bash as root, so it must not hold control characters, non-ASCII, outer "
                "blanks, unquoted blanks or ; & | < > ( ), backquotes, $( ${{ $[, an "
                "unbalanced quote or a trailing backslash.".format(key))
    return ("change the value: hosted-engine sources this file with bash as root and "
            "ovirt-ha-agent reads it as ASCII, so values hold no control characters, "
            "non-ASCII, outer blanks, unquoted blanks or ; & | < > ( ), backquotes, $( ${ $[, "
            "unbalanced quotes or a trailing backslash.")


def _safe_entries(collector, unit):
    # type: (_Collector, DeployUnit) -> Dict[str, str]
    """Drop legacy keys, refuse unsafe keys and values, return the rest as text."""
    # Ordered on Python 2 too: problems are reported in the order of the unit's keys.
    config = collections.OrderedDict()  # type: Dict[str, str]
    for key, raw in unit.config:
        if key in confkeys.LEGACY_KEYS:
            collector.notes.append(
                "{} dropped: legacy key no reader uses any more.".format(key))
            continue
        key_reason = safety.key_problem(key)
        meant = keynames.conf_keys_meant(key)
        if key_reason:
            collector.problems.append(Problem(
                safety.printable(envkeys.config_key(key)),
                "the key {} {}.".format(ascii(key), key_reason),
                "hosted-engine.conf keys are shell identifiers such as host_id; "
                "{}.".format(_rename(meant) if meant else "remove or rename this key")))
            collector.refused.update(meant)
            continue
        if meant:
            _misspelt(collector, key, meant)
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


def _rename(meant):
    # type: (Tuple[str, ...]) -> str
    return "rename it to {}".format(" or ".join(envkeys.config_key(key) for key in meant))


def _misspelt(collector, key, meant):
    # type: (_Collector, str, Tuple[str, ...]) -> None
    # HA env/config_file.py keeps every key and reads only those it knows: a misspelt key
    # is ignored by every reader, and the key meant stays unset.
    collector.problems.append(Problem(
        safety.printable(envkeys.config_key(key)),
        "is not a hosted-engine.conf key but {} edit{} from {}: no reader would use it, so "
        "{} would stay unset.".format(
            "one" if keynames.distance(key.lower(), meant[0].lower()) <= 1 else "two",
            "" if keynames.distance(key.lower(), meant[0].lower()) <= 1 else "s",
            " and ".join(meant), " and ".join(meant)),
        "{} (keys are case-sensitive).".format(_rename(meant))))
    # Reported here, so not "missing" as well.
    collector.refused.update(meant)


def _warn_unknown(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
    # The engine sends the keys of the cluster's hosted-engine.conf: an unknown key far from
    # every known one is a key this validator does not know yet, so it is written as sent.
    for key in sorted(config):
        if key in confkeys.KNOWN_KEYS:
            continue
        why = ("an old hosted-engine.conf key no reader uses any more"
               if key in confkeys.HISTORICAL_KEYS else
               "not a hosted-engine.conf key ovirt-ha-agent, ovirt-ha-broker or hosted-engine "
               "reads")
        collector.warnings.append("{}: {}; written to hosted-engine.conf as sent (the "
                                  "readers ignore keys they do not know).".format(
                                      safety.printable(envkeys.config_key(key)), why))


def stray_problems(stray, action):
    # type: (Tuple[str, ...], object) -> List[Problem]
    """A problem for each key under HOSTED_ENGINE/ but action, and each misspelt prefix
    (stray: DeployUnit.stray; action: the action as received)."""
    problems = []  # type: List[Problem]
    for section, names in keynames.by_prefix(stray):
        meant = [keynames.meant(name) for name in names]
        if section == envkeys.ACTION_PREFIX:
            silent = action is None and meant[0] == envkeys.ACTION.name
            problems.append(Problem(
                safety.printable(names[0]),
                "is not a deploy-unit key: under {} there is only action, so nothing reads "
                "this line{}.".format(envkeys.ACTION_PREFIX, "" if not silent else
                                      " (and without {} the action is none: nothing would "
                                      "be done)".format(envkeys.ACTION.name)),
                "rename it to {}{}.".format(meant[0], " (e.g. {}=str:deploy)".format(
                    meant[0]) if meant[0] == envkeys.ACTION.name else "")))
            continue
        shown = [safety.printable(name[len(section):]) for name in names]
        more = " (and {} more)".format(len(shown) - 8) if len(shown) > 8 else ""
        prefix = keynames.prefix_meant(names[0])
        if len(names) > 3 and all(right.startswith(prefix) for right in meant):
            fix = "write {} instead of {} in each of them (keys are case-sensitive), e.g. " \
                  "{}.".format(prefix, safety.printable(section), safety.printable(meant[0]))
        else:
            fix = "rename {}{} (keys are case-sensitive).".format(", ".join(
                "{} to {}".format(safety.printable(name), safety.printable(right))
                for name, right in list(zip(names, meant))[:8]), more)
        problems.append(Problem(
            safety.printable(section),
            "is not a deploy-unit prefix ({} or {}), so nothing reads {} under it: "
            "{}{}.".format(envkeys.ACTION_PREFIX, envkeys.CONFIG_PREFIX,
                           "the key" if len(names) == 1 else "the {} keys".format(len(names)),
                           " ".join(shown[:8]), more),
            fix))
    return problems


_SETTING_TYPES = {"str": TEXT_TYPES, "int": INTEGER_TYPES, "bool": (bool,)}
_SETTING_EXAMPLES = {"str": "str:VALUE", "int": "int:300", "bool": "bool:True"}


def setting_problems(env):
    # type: (Mapping[str, object]) -> List[Problem]
    """A problem for each OVIRT_HE_DEPLOY/ key of a run that acts which no code reads (a
    typo: the setting meant keeps its default, silently) or whose value has the wrong type
    (`clearLocalMaintenance=str:False` would be taken as true, an `int` key as text fails
    deep in the run). Internal keys are the group's own; the run sets them."""
    problems = []  # type: List[Problem]
    own = envkeys.OWN_PREFIX
    settings = dict((key.name, key) for key in envkeys.OWN_KEYS)
    internal = set(key.name for key in envkeys.INTERNAL_KEYS)
    for name in sorted(env):
        if not name.startswith(own) or name in internal:
            continue
        key = settings.get(name)
        value = env[name]
        if key is None:
            near = keynames.closest(name, settings)
            meant = near[0] if near else None
            problems.append(Problem(
                safety.printable(name),
                "is not a setting of ovirt-he-deploy, so nothing reads it{}.".format(
                    "; the setting {} keeps its default".format(meant) if meant else ""),
                "{}drop it; README's \"The deploy unit\" lists the settings.".format(
                    "rename it to {} (keys are case-sensitive), or ".format(meant)
                    if meant else "")))
            continue
        # none:None leaves the default in force (envkeys.setting): harmless.
        if value is not None and (isinstance(value, bool) != (key.type == "bool") or
                                  not isinstance(value, _SETTING_TYPES[key.type])):
            problems.append(Problem(
                name, "has type {}, not {}.".format(type(value).__name__, key.type),
                "send it as {}={} (otopi's type:value).".format(
                    name, _SETTING_EXAMPLES[key.type])))
    return problems


def _check_presence(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
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


def _lengths(config, keys):
    # type: (Dict[str, str], Tuple[str, ...]) -> Dict[str, int]
    return {key: len(comma_list(config.get(key, ""))) for key in keys}


def _check_iscsi(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
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


def _check_single_target(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
    # HA lib/storage_server.py:320 passes portal as one TPGT, which VDSM reads with int()
    # (storageServer.py:1074). storage and port are zipped (:309-313): _warn_single_target.
    if "," in config.get("portal", ""):
        collector.problem("portal", "is a list, but with a single iqn ovirt-ha-broker passes "
                          "it as one target portal group tag, which VDSM cannot read.",
                          "give one tag, e.g. portal=1.")


def _warn_single_target(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
    # HA lib/storage_server.py:309-313: with one iqn the broker zips storage with port and
    # connects each pair (per iSCSI interface); what does not pair is not used. The host
    # works with the paths that pair; hosted-engine-setup always writes them paired.
    addresses = comma_list(config.get("storage", ""))
    ports = comma_list(config.get("port", ""))
    if len(addresses) == len(ports):
        return
    used = ", ".join("{}:{}".format("[{}]".format(address) if ":" in address else address,
                                    port) for address, port in zip(addresses, ports))
    if len(addresses) > len(ports):
        collector.warnings.append(
            "storage lists {} portal addresses but port only {}: with one iqn ovirt-ha-broker "
            "pairs them by position and connects only {}; {} {} not used (less multipath "
            "than meant). To use every address, give one port per address, e.g. "
            "port={}.".format(len(addresses), len(ports), used,
                              ", ".join(addresses[len(ports):]),
                              "is" if len(addresses) - len(ports) == 1 else "are",
                              ",".join(ports + [ports[-1]] * (len(addresses) - len(ports)))))
    else:
        collector.warnings.append(
            "port lists {} ports but storage only {} portal address{}: with one iqn "
            "ovirt-ha-broker pairs them by position and connects {}; port{} {} {} not used. "
            "Drop {}: port={}.".format(
                len(ports), len(addresses), "" if len(addresses) == 1 else "es", used,
                "" if len(ports) - len(addresses) == 1 else "s",
                ", ".join(ports[len(addresses):]),
                "is" if len(ports) - len(addresses) == 1 else "are",
                "it" if len(ports) - len(addresses) == 1 else "them",
                ",".join(ports[:len(addresses)])))


def _check_multi_target(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
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


def _check_values(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
    for key, value in config.items():
        check = VALUE_CHECKS.get(key)
        if check is None or (value == "" and key not in CHECKED_WHEN_EMPTY):
            continue
        result = check(value, config)
        if result:
            collector.problem(key, result[0], result[1])
            collector.refused.add(key)


def _warn_blacklist(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
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


def _warn(collector, config):
    # type: (_Collector, Dict[str, str]) -> None
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
    if config.get("domainType") == "iscsi" and "," not in config.get("iqn", ""):
        _warn_single_target(collector, config)
    if BLACKLIST_KEY in config:
        _warn_blacklist(collector, config)
    _warn_unknown(collector, config)
    for key in sorted(SCRIPT_VARIABLES & set(config)):
        collector.warnings.append(
            "{0}: hosted-engine reads ${{{0}}} as its own variable (--get-shared-config and "
            "--set-shared-config without --type use it).".format(key))


def _unused_config(unit, action):
    # type: (DeployUnit, str) -> Tuple[str, ...]
    if not unit.config:
        return ()
    names = " ".join(safety.printable(str(key)) for key, _ in unit.config)
    why = ("HOSTED_ENGINE/action is absent, which means none" if unit.action is None
           else "HOSTED_ENGINE/action is {}".format(action))
    return ("{} HOSTED_ENGINE_CONFIG/* key{} will not be used: {} ({}). Set "
            "HOSTED_ENGINE/action=str:deploy to deploy them, or drop them.".format(
                len(unit.config), "" if len(unit.config) == 1 else "s", why, names),)


def validate(unit):
    # type: (DeployUnit) -> Tuple[Optional[ValidUnit], List[Problem]]
    """Check a unit. Returns the valid unit, or None and every problem found."""
    action, action_problem = check_action(unit.action)
    if unit.stray:
        # Reported alone: with keys under a misspelt prefix, the rest would be noise
        # (every key "missing"); the rest is checked once the keys are where they belong.
        return None, ([action_problem] if action_problem else []) + stray_problems(
            unit.stray, unit.action)
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


def check(unit):
    # type: (DeployUnit) -> ValidUnit
    """The valid unit, or InvalidUnit listing every problem."""
    valid, problems = validate(unit)
    if valid is None:
        raise InvalidUnit(problems)
    return valid
