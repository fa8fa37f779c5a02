"""Every otopi environment key the deploy unit reads or sets, declared once.

Every otopi run with the plugin group imports this module, action none included, so it
builds nothing typing has to evaluate at run time: types are comments (compat.py).
"""

from .compat import INTEGER_TYPES, TEXT_FIND_MAY_DECODE, TEXT_TYPES, TYPE_CHECKING, text_forms
from .records import Record

if TYPE_CHECKING:
    from typing import Dict, Iterable, List, Mapping, MutableMapping, Set, Tuple, Union

    WireValue = Union[None, bool, int, str]


class EnvKey(Record):
    """One environment key: exact name, wire type, default, meaning, secrecy."""

    __slots__ = ("name", "type", "default", "description", "secret")

    def __init__(self, name, type, default, description, secret=False):
        # type: (str, str, WireValue, str, bool) -> None
        self.name = name
        self.type = type
        self.default = default
        self.description = description
        self.secret = secret

    def __repr__(self):
        # type: () -> str
        return "EnvKey({!r}, {!r}, {!r})".format(self.name, self.type, self.default)


ACTION_DEPLOY = "deploy"
ACTION_REMOVE = "remove"
ACTION_NONE = "none"
ACTIONS = (ACTION_DEPLOY, ACTION_REMOVE, ACTION_NONE)  # type: Tuple[str, ...]

# Keys the engine sends keep the engine's spelling (engine-deploy-unit.md section 1.4).
ACTION_PREFIX = "HOSTED_ENGINE/"
ACTION = EnvKey(
    ACTION_PREFIX + "action", "str", ACTION_NONE,
    "What to do with Hosted Engine on this host: deploy, remove or none.",
)
CONFIG_PREFIX = "HOSTED_ENGINE_CONFIG/"

OWN_PREFIX = _OWN = "OVIRT_HE_DEPLOY/"
OUR_PREFIXES = (ACTION_PREFIX, CONFIG_PREFIX, _OWN)

CONF_FILE = EnvKey(
    _OWN + "confFile", "str", "/etc/ovirt-hosted-engine/hosted-engine.conf",
    "Path of the hosted-engine.conf that ovirt-ha-agent and ovirt-ha-broker read.",
)
CONF_OWNER = EnvKey(
    _OWN + "confOwner", "str", "vdsm",
    "Owner of hosted-engine.conf (the HA services run as this user).",
)
CONF_GROUP = EnvKey(
    _OWN + "confGroup", "str", "kvm",
    "Group of hosted-engine.conf.",
)
HA_CONF_FILE = EnvKey(
    _OWN + "haConfFile", "str", "/var/lib/ovirt-hosted-engine-ha/ha.conf",
    "ovirt-hosted-engine-ha local state file holding the local maintenance flags.",
)
LOCK_FILE = EnvKey(
    _OWN + "lockFile", "str", "/run/ovirt-he-deploy.lock",
    "Lock held for the whole deploy or remove, so two runs never race on one host.",
)
REQUIRED_ARCH = EnvKey(
    _OWN + "requiredArch", "str", "x86_64",
    "Machine architecture Hosted Engine hosts must have.",
)
SERVICE_WAIT_SECONDS = EnvKey(
    _OWN + "serviceWaitSeconds", "int", 180,
    "How long closeup waits for ovirt-ha-broker and ovirt-ha-agent to be running after "
    "their restart. The agent exits while the broker's socket is not up yet and systemd "
    "starts it again 10 s later, so a healthy start can look stopped for a while; 0 checks "
    "once.",
)
METADATA_CLEANUP_SECONDS = EnvKey(
    _OWN + "metadataCleanupSeconds", "int", 300,
    "Remove: how long 'hosted-engine --clean-metadata' may take to free this host's slot "
    "in the shared Hosted Engine metadata (it waits for storage like the agent does).",
)

INSTALL_MISSING_ONLY = EnvKey(
    _OWN + "installMissingOnly", "bool", False,
    "Deploy: install the Hosted Engine packages only where they are missing, never update "
    "them. `host deploy` (and so the 4.4+ engine hook) sets it: the engine's own role has "
    "installed them, and its vdsm role has restarted vdsmd. False keeps ovirt-host-deploy's "
    "install-or-update for engines up to 4.3, which run the group through otopi.",
)
CLEAR_LOCAL_MAINTENANCE = EnvKey(
    _OWN + "clearLocalMaintenance", "bool", False,
    "Deploy: clear local_maintenance in ha.conf on success whoever set it, as "
    "ovirt-host-deploy did (engines before 4.1 never cleared it themselves). By default a "
    "local maintenance that was on before the run is kept: the engine clears it when it "
    "activates the host.",
)
ENGINE_ROLE_DEPLOYED = EnvKey(
    _OWN + "engineRoleDeployed", "bool", False,
    "Deploy: the engine's own Hosted Engine role deployed this host just before the run (the "
    "4.4+ engine hook sets it as an otopi statement, so a host with an older ovirt-he-deploy "
    "still runs; `host deploy --after-engine-role` sets it too). It changes no "
    "step; a run that finds everything in place then says 'checked: the engine had deployed "
    "it' instead of 'checked: it was deployed already'.",
)

PLAN = EnvKey(
    _OWN + "plan", "object", None,
    "Internal: the plan computed in STAGE_VALIDATION; the later stages carry it out.",
)

HOST_TOUCHED = EnvKey(
    _OWN + "hostTouched", "bool", False,
    "Internal: True once the deploy started changing the host (services stopped); a failure "
    "after that leaves the host in local maintenance.",
)

CHANGES = EnvKey(
    _OWN + "changes", "multi-str", None,
    "Internal: what a deploy changed on the host, one line each, for its closing report.",
)

OWN_KEYS = (  # type: Tuple[EnvKey, ...]
    CONF_FILE, CONF_OWNER, CONF_GROUP, HA_CONF_FILE, LOCK_FILE, REQUIRED_ARCH,
    SERVICE_WAIT_SECONDS, METADATA_CLEANUP_SECONDS, INSTALL_MISSING_ONLY,
    CLEAR_LOCAL_MAINTENANCE, ENGINE_ROLE_DEPLOYED,
)
INTERNAL_KEYS = (PLAN, HOST_TOUCHED, CHANGES)  # type: Tuple[EnvKey, ...]
ALL_KEYS = (ACTION,) + OWN_KEYS + INTERNAL_KEYS  # type: Tuple[EnvKey, ...]

# hosted-engine.conf keys whose values are secrets (hosted-engine-conf.md section 2).
SECRET_CONF_KEYS = ("password", "user")  # type: Tuple[str, ...]
SECRET_ENV_KEYS = tuple(CONFIG_PREFIX + k for k in SECRET_CONF_KEYS)  # type: Tuple[str, ...]
# The machine dialog logs "DIALOG:RECEIVE VALUE KEY=type:value" before the key is set, so
# the key filter cannot catch that line; this regex does (otopi-plugin-contract.md section 9).
# The literal prefix cannot match inside the filtered text, so otopi's filter terminates.
SECRET_RECEIVE_PATTERN = r"HOSTED_ENGINE_CONFIG/(?:password|user)=[a-z-]*:(?P<filter>.+)"
# otopi dumps the keys a config file added right after loading it, before any event of ours
# can name a misspelt secret key (HOSTED_ENGINE_CONFIG/passwrod, HOSTED_ENGINE_CONFIGS/user)
# for the key filter: this hides the value of each dumped key that looks like one (compiled
# ignoring case; keynames.secret_lookalikes adds the exact names for later records).
SECRET_LOOKALIKE_DUMP_PATTERN = (
    r"ENV [^=/\s]*(?:host|engine|conf)[^=/\s]*/[^=\s]*(?:pass|word|pwd|pw|secret|user|usr|"
    r"uesr|suer)[^=\s]*=[a-z_-]*:'(?P<filter>.*)'")

# otopi looks each CORE/logFilterKeys value up in every log record with content.find(value).
# On Python 2 (otopi 1.8) that raises UnicodeDecodeError when one of the two is unicode and
# the other a str with a byte above 127 (compat.TEXT_FIND_MAY_DECODE); otopi 1.8's records
# are unicode wherever an argument is (a command's output), and all of them when
# python-dateutil is missing (the timestamp is). A non-ASCII secret in a key filter would
# cost every such record from the moment a config file or the engine sets it. So there the
# secrets are hidden by regexps of their values (re never raises on either type), and kept
# out of env dumps (BASE/suppressEnvironmentKeys) before those regexps can exist.
FILTER_BY_KEY = not TEXT_FIND_MAY_DECODE


def value_patterns(env, names):
    # type: (Mapping[str, object], Iterable[str]) -> List[str]
    """Regexps that hide the current text values of these keys in str and unicode records."""
    import re

    patterns = []  # type: List[str]
    for name in names:
        value = env.get(name)
        if isinstance(value, TEXT_TYPES) and value:
            # otopi searches again from where the last filtered group began: the character
            # before the group moves each search on (a bare group would loop forever).
            patterns.extend("(?s).(?P<filter>" + re.escape(form) + ")"
                            for form in text_forms(value))
    return patterns


def secrets_not_text(env):
    # type: (Mapping[str, object]) -> bool
    """True when a secret key holds anything but a str (or nothing)."""
    return any(not isinstance(env.get(name), TEXT_TYPES + (type(None),))
               for name in SECRET_ENV_KEYS)


def secrets_need_care(env):
    # type: (Mapping[str, object]) -> bool
    """True when a secret must be made text, or (FILTER_BY_KEY false) filtered by value."""
    return secrets_not_text(env) or (not FILTER_BY_KEY and any(
        env.get(name) for name in SECRET_ENV_KEYS))


def secrets_as_text(env):
    # type: (MutableMapping[str, object]) -> Dict[str, str]
    """Make every secret value a str, as otopi's log filter needs; return the refused ones.

    otopi looks the values of CORE/logFilterKeys up in every log record with str.find: an
    int, bool or list there makes every record fail (the log is lost and each record is
    dumped, secret included, to stderr). An int is the same password as its digits; any
    other type is no password at all, so it is emptied and reported (key -> type name).
    """
    refused = {}  # type: Dict[str, str]
    for name in SECRET_ENV_KEYS:
        value = env.get(name)
        if value is None or isinstance(value, TEXT_TYPES):
            continue
        if isinstance(value, INTEGER_TYPES) and not isinstance(value, bool):
            env[name] = str(value)
        else:
            refused[name] = type(value).__name__
            env[name] = ""
    return refused


def config_key(conf_key):
    # type: (str) -> str
    """The environment key that carries one hosted-engine.conf key."""
    return CONFIG_PREFIX + conf_key


def defaults():
    # type: () -> Dict[str, WireValue]
    """Every declared key with its default, for setdefault in STAGE_INIT."""
    return {key.name: key.default for key in ALL_KEYS if key not in INTERNAL_KEYS}


def action_of(env):
    # type: (Mapping[str, object]) -> object
    """The requested action as received (may be invalid until validated)."""
    value = env.get(ACTION.name)
    return ACTION_NONE if value is None else value


def acts(env):
    # type: (Mapping[str, object]) -> bool
    """True when the unit asks for anything but none (an invalid action included)."""
    return action_of(env) != ACTION_NONE


def is_deploy(env):
    # type: (Mapping[str, object]) -> bool
    return action_of(env) == ACTION_DEPLOY


def is_remove(env):
    # type: (Mapping[str, object]) -> bool
    return action_of(env) == ACTION_REMOVE


def carries_ours(env):
    # type: (Iterable[str]) -> bool
    """True when any key of ours is set (by a config file, the command line or the engine)."""
    return any(name.startswith(OUR_PREFIXES) for name in env)


def config_keys(env):
    # type: (Mapping[str, object]) -> Tuple[str, ...]
    """The HOSTED_ENGINE_CONFIG/* keys of a run, sorted."""
    return tuple(sorted(name for name in env if name.startswith(CONFIG_PREFIX)))


def unused_config(env):
    # type: (Mapping[str, object]) -> bool
    """Config keys in a run that will not deploy them (action none, or absent)."""
    return not acts(env) and bool(config_keys(env))


def section_of(name):
    # type: (str) -> str
    """A key's prefix with its '/' ('' for a key without one)."""
    head, slash, _rest = name.partition("/")
    return head + slash


def normal_section(section):
    # type: (str) -> str
    """A prefix without case, '-', '_', '/' and blanks: HOSTED-engine/ -> HOSTEDENGINE."""
    return "".join(char for char in section.upper() if char.isalnum())


OUR_SECTIONS = (ACTION_PREFIX, CONFIG_PREFIX)  # type: Tuple[str, ...]
_OUR_NORMAL = tuple(normal_section(section) for section in OUR_SECTIONS)
# keynames takes a prefix within PREFIX_EDITS edits of ours for a typo of it.
PREFIX_EDITS = 2
_SHORTEST_CLOSE = min(len(ours) for ours in _OUR_NORMAL) - PREFIX_EDITS


def _letters_off(text, target):
    # type: (str, str) -> int
    """Letters of text that target lacks (counted with repeats): at most the edits between."""
    rest = list(target)
    off = 0
    for char in text:
        if char in rest:
            rest.remove(char)
        else:
            off += 1
    return off


def maybe_stray(names):
    # type: (Iterable[str]) -> bool
    """True when a key may be a misspelt deploy-unit key: one under HOSTED_ENGINE/ other
    than action, or under a prefix close to ours (keynames decides which are). Every run
    with action none calls this on the whole environment: string methods and a set
    comprehension do the per-key work, and only prefixes long enough get compared."""
    if not isinstance(names, (dict, set, frozenset, list, tuple)):
        names = list(names)
    under_action = ("\n" + "\n".join(names)).count("\n" + ACTION_PREFIX)
    if under_action != (1 if ACTION.name in names else 0):
        return True
    for head in {name.partition("/")[0] for name in names}:
        # A prefix only loses letters when normalized, so a short one is never close. (A
        # key without "/" comes here whole; keynames never takes it for a stray key.)
        if len(head) < _SHORTEST_CLOSE or head + "/" in OUR_SECTIONS:
            continue
        normal = normal_section(head)
        for ours in _OUR_NORMAL:
            if abs(len(normal) - len(ours)) <= PREFIX_EDITS and \
                    _letters_off(normal, ours) <= PREFIX_EDITS:
                return True
    return False


def maybe_secret_lookalike(names):
    # type: (Iterable[str]) -> bool
    """True when a config key may carry a CHAP secret under a misspelt name (keynames
    decides): one close to password or user. Cheap: a run without config keys (action none)
    pays one join. Secrets under a misspelt prefix are filtered by
    SECRET_LOOKALIKE_DUMP_PATTERN, and by name once VALIDATION finds the stray keys."""
    if not isinstance(names, (dict, set, frozenset, list, tuple)):
        names = list(names)
    if ("\n" + "\n".join(names)).find("\n" + CONFIG_PREFIX) < 0:
        return False
    for name in names:
        if name.startswith(CONFIG_PREFIX):
            rest = name[len(CONFIG_PREFIX):].lower()
            if rest not in SECRET_CONF_KEYS and any(
                    abs(len(rest) - len(secret)) <= 2 and _letters_off(rest, secret) <= 2
                    for secret in SECRET_CONF_KEYS):
                return True
    return False


def deploy_failed_after_changes(env, failed):
    # type: (Mapping[str, object], bool) -> bool
    """A failed deploy that must leave the host in local maintenance: one that had started
    changing the host (services stopped), or any reinstall (the host had a conf)."""
    if not (failed and is_deploy(env)):
        return False
    if env.get(HOST_TOUCHED.name):
        return True
    facts = getattr(env.get(PLAN.name), "facts", None)
    return bool(getattr(facts, "conf_exists", False))


def record_change(env, text):
    # type: (MutableMapping[str, object], str) -> None
    """Note one change a deploy made, for its closing report."""
    changes = env.get(CHANGES.name)
    if isinstance(changes, list):
        changes.append(text)


def setting(env, key):
    # type: (Mapping[str, object], EnvKey) -> WireValue
    """The current value of a declared key, falling back to its default."""
    value = env.get(key.name)
    if isinstance(value, (bool,) + INTEGER_TYPES + TEXT_TYPES):
        return value
    return key.default
