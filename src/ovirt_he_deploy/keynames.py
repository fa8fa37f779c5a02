"""Misspelt deploy-unit keys: a typo is named where it is made, with the key that was meant.

otopi takes any key and ovirt-ha-agent ignores hosted-engine.conf keys it does not know, so
a misspelt key does nothing, silently: `HOSTED_ENGINE/actoin=str:deploy` leaves the action
none, `gatway` leaves the ping test without an address. Three kinds are refused:
- under `HOSTED_ENGINE/` any key but `action` (it is the only one);
- keys under a prefix that differs from `HOSTED_ENGINE/` or `HOSTED_ENGINE_CONFIG/` only in
  case, `-` for `_`, or an edit or two (`HOSTED_ENGINE_CONFIGS/`, `hosted-engine/`);
- a `HOSTED_ENGINE_CONFIG/` key that is not a hosted-engine.conf key but within an edit (two
  for long keys) of one (`gatway`, `Host_ID`, `sdUUDI`).
Every key a writer of hosted-engine.conf ever wrote is known (confkeys.WRITTEN_KEYS), so an
exact match is never a typo; two known keys close to each other (sdUUID, spUUID) only make a
typo near both name both.
"""

from . import confkeys, envkeys
from .compat import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Dict, Iterable, List, Mapping, Optional, Tuple

ACTION_NAME = envkeys.ACTION.name[len(envkeys.ACTION_PREFIX):]
# Edits allowed between a typo and the key meant: one, two for keys of LONG_KEY characters
# or more (the UUID keys), where a second slip is likelier than a new key that close.
LONG_KEY = 10


def distance(first, second):
    # type: (str, str) -> int
    """Edits (insert, delete, substitute, swap two neighbours) from one text to the other."""
    previous = None  # type: Optional[List[int]]
    row = list(range(len(second) + 1))
    for i in range(1, len(first) + 1):
        before, previous, row = previous, row, [i] + [0] * len(second)
        for j in range(1, len(second) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and j > 1 and first[i - 1] == second[j - 2] and \
                    first[i - 2] == second[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def allowed_edits(known):
    # type: (str) -> int
    return 2 if len(known) >= LONG_KEY else 1


def conf_keys_meant(key):
    # type: (str) -> Tuple[str, ...]
    """The hosted-engine.conf keys an unknown key is a typo of (closest first), or ()."""
    return closest(key, confkeys.WRITTEN_KEYS)


def closest(key, candidates):
    # type: (str, Iterable[str]) -> Tuple[str, ...]
    """The candidates an unknown key is a typo of (the closest, sorted), or () for one of
    them or one too far from all (allowed_edits; case ignored)."""
    if key in candidates:
        return ()
    found = {}  # type: Dict[str, int]
    for known in candidates:
        edits = distance(key.lower(), known.lower())
        if edits <= allowed_edits(known):
            found[known] = edits
    if not found:
        return ()
    best = min(found.values())
    return tuple(sorted(known for known, edits in found.items() if edits == best))


def prefix_meant(name):
    # type: (str) -> str
    """The deploy unit's prefix a key's prefix is a near miss of, or '' (ours or unrelated):
    the same but for case, '-', '_' and blanks, or envkeys.PREFIX_EDITS edits from it."""
    section = envkeys.section_of(name)
    if not section or section in envkeys.OUR_SECTIONS:
        return ""
    normal = envkeys.normal_section(section)
    edits, prefix = min((distance(normal, envkeys.normal_section(ours)), ours)
                        for ours in envkeys.OUR_SECTIONS)
    return prefix if edits <= envkeys.PREFIX_EDITS else ""


def is_stray(name):
    # type: (str) -> bool
    """True for a key that looks like the deploy unit's but that nothing reads."""
    if name.startswith(envkeys.ACTION_PREFIX):
        return name != envkeys.ACTION.name
    return bool(prefix_meant(name))


def stray_keys(names):
    # type: (Iterable[str]) -> Tuple[str, ...]
    """The keys among names that look like the deploy unit's but that nothing reads, sorted."""
    names = list(names)
    if not envkeys.maybe_stray(names):
        return ()
    return tuple(sorted(name for name in names if is_stray(name)))


def meant(name):
    # type: (str) -> str
    """The full key a stray key was most likely meant to be."""
    rest = name[len(envkeys.section_of(name)):]
    if distance(rest.lower(), ACTION_NAME) <= 1:
        return envkeys.ACTION.name
    # HOSTED_ENGINE/host_id or HOSTED_ENGINE_CONFIGS/fqdn: a hosted-engine.conf key.
    conf = (rest,) if rest in confkeys.WRITTEN_KEYS else conf_keys_meant(rest)
    if conf:
        return envkeys.CONFIG_PREFIX + conf[0]
    if (prefix_meant(name) or envkeys.ACTION_PREFIX) == envkeys.ACTION_PREFIX:
        return envkeys.ACTION.name
    return envkeys.CONFIG_PREFIX + rest


def by_prefix(names):
    # type: (Iterable[str]) -> List[Tuple[str, List[str]]]
    """Stray keys grouped by their wrong prefix, in order; HOSTED_ENGINE/ keys one by one."""
    groups = []  # type: List[Tuple[str, List[str]]]
    for name in names:
        section = envkeys.section_of(name)
        if section == envkeys.ACTION_PREFIX or not groups or groups[-1][0] != section:
            groups.append((section, [name]))
        else:
            groups[-1][1].append(name)
    return groups


def secret_lookalikes(env):
    # type: (Mapping[str, object]) -> Tuple[str, ...]
    """Keys with text values that were most likely meant as the CHAP user or password: otopi
    logs them before the validation refuses them, so their values are filtered too."""
    found = []  # type: List[str]
    for name in sorted(env):
        if not isinstance(env[name], str) or name in envkeys.SECRET_ENV_KEYS:
            continue
        if name.startswith(envkeys.CONFIG_PREFIX):
            near = conf_keys_meant(name[len(envkeys.CONFIG_PREFIX):])
            if set(near) & set(envkeys.SECRET_CONF_KEYS):
                found.append(name)
        elif is_stray(name) and meant(name) in envkeys.SECRET_ENV_KEYS:
            found.append(name)
    return tuple(found)
