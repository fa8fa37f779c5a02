"""Every otopi environment key the deploy unit reads or sets, declared once.

Every otopi run with the plugin group imports this module, action none included, so it
builds nothing typing has to evaluate at run time: types are comments (compat.py).
"""

from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import Dict, Mapping, MutableMapping, Tuple, Union

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
ACTION = EnvKey(
    "HOSTED_ENGINE/action", "str", ACTION_NONE,
    "What to do with Hosted Engine on this host: deploy, remove or none.",
)
CONFIG_PREFIX = "HOSTED_ENGINE_CONFIG/"

_OWN = "OVIRT_HE_DEPLOY/"

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

PLAN = EnvKey(
    _OWN + "plan", "object", None,
    "Internal: the plan computed in STAGE_VALIDATION; the later stages carry it out.",
)

HOST_TOUCHED = EnvKey(
    _OWN + "hostTouched", "bool", False,
    "Internal: True once the deploy started changing the host (services stopped); a failure "
    "after that leaves the host in local maintenance.",
)

OWN_KEYS = (  # type: Tuple[EnvKey, ...]
    CONF_FILE, CONF_OWNER, CONF_GROUP, HA_CONF_FILE, LOCK_FILE, REQUIRED_ARCH,
    SERVICE_WAIT_SECONDS, METADATA_CLEANUP_SECONDS,
)
INTERNAL_KEYS = (PLAN, HOST_TOUCHED)  # type: Tuple[EnvKey, ...]
ALL_KEYS = (ACTION,) + OWN_KEYS + INTERNAL_KEYS  # type: Tuple[EnvKey, ...]

# hosted-engine.conf keys whose values are secrets (hosted-engine-conf.md section 2).
SECRET_CONF_KEYS = ("password", "user")  # type: Tuple[str, ...]
SECRET_ENV_KEYS = tuple(CONFIG_PREFIX + k for k in SECRET_CONF_KEYS)  # type: Tuple[str, ...]
# The machine dialog logs "DIALOG:RECEIVE VALUE KEY=type:value" before the key is set, so
# the key filter cannot catch that line; this regex does (otopi-plugin-contract.md section 9).
# The literal prefix cannot match inside the filtered text, so otopi's filter terminates.
SECRET_RECEIVE_PATTERN = r"HOSTED_ENGINE_CONFIG/(?:password|user)=[a-z-]*:(?P<filter>.+)"


def secrets_not_text(env):
    # type: (Mapping[str, object]) -> bool
    """True when a secret key holds anything but a str (or nothing)."""
    return any(not isinstance(env.get(name), (str, type(None))) for name in SECRET_ENV_KEYS)


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
        if value is None or isinstance(value, str):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
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


def config_keys(env):
    # type: (Mapping[str, object]) -> Tuple[str, ...]
    """The HOSTED_ENGINE_CONFIG/* keys of a run, sorted."""
    return tuple(sorted(name for name in env if name.startswith(CONFIG_PREFIX)))


def unused_config(env):
    # type: (Mapping[str, object]) -> bool
    """Config keys in a run that will not deploy them (action none, or absent)."""
    return not acts(env) and bool(config_keys(env))


def deploy_failed_after_changes(env, failed):
    # type: (Mapping[str, object], bool) -> bool
    """A deploy run that failed after it had started changing the host (services stopped)."""
    return failed and is_deploy(env) and bool(env.get(HOST_TOUCHED.name))


def setting(env, key):
    # type: (Mapping[str, object], EnvKey) -> WireValue
    """The current value of a declared key, falling back to its default."""
    value = env.get(key.name)
    if isinstance(value, (bool, int, str)):
        return value
    return key.default
