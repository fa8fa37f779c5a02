"""What the validator refuses and warns about, and why each would really hurt.

README's "What the validator refuses" is generated from these lists (rules_markdown) and a
test compares the two; another ties each rule to an example it refuses.
"""

import textwrap

from .compat import TYPE_CHECKING
from .records import Record

if TYPE_CHECKING:
    from typing import List, Tuple


class Rule(Record):
    """One thing the validator refuses, and why that would really hurt."""

    __slots__ = ("refuses", "because")

    def __init__(self, refuses, because):
        # type: (str, str) -> None
        self.refuses = refuses
        self.because = because


RULES = (  # type: Tuple[Rule, ...]
    Rule("`HOSTED_ENGINE/action` other than `deploy`, `remove` or `none` (absent means "
         "`none`)", "nothing could tell what the engine meant"),
    Rule("in every action, a key under `HOSTED_ENGINE/` other than `action`, or under a "
         "prefix that is `HOSTED_ENGINE/` or `HOSTED_ENGINE_CONFIG/` but for case, `-` for "
         "`_`, or up to two edits (`HOSTED_ENGINE_CONFIGS/`, `HOSTED-ENGINE/`, "
         "`hosted_engine_config/`); the error names the key meant",
         "otopi keeps any key and nothing reads these: a misspelt action leaves it `none`, "
         "so the run would do nothing, and every key under a misspelt prefix goes unread"),
    Rule("in a deploy or remove, an `OVIRT_HE_DEPLOY/` key that is not one of ours (the "
         "table above; the error names the one meant), or a setting whose value has another type "
         "than its own (`bool:`, `int:`, `str:`)",
         "nothing reads a misspelt setting, so the one meant keeps its default without a "
         "word; as text, `clearLocalMaintenance=str:False` would be true"),
    Rule("a value that is not text (`str:`; `int:` is taken as its digits)",
         "hosted-engine.conf holds text, and a bool or list has no line the engine meant"),
    Rule("a key that is not a shell identifier (letters, digits, `_`, not starting with a "
         "digit)", "`hosted-engine` sources the file with bash as root: `host-id=2` is a "
         "command, not an assignment"),
    Rule("a key without a lower-case letter (`PATH`, `IFS`, `UID`, `_`)",
         "bash gives those names a meaning: `IFS` or `PATH` would change the commands "
         "`hosted-engine` runs, `UID` is read-only"),
    Rule("a `HOSTED_ENGINE_CONFIG/` key that is not a hosted-engine.conf key but one edit "
         "(insert, delete, change, swap; two for keys of 10 characters or more; case "
         "ignored) from one: `gatway`, `Host_ID`, `sdUUDI`; the error names the key meant",
         "the agent, the broker and `hosted-engine` ignore keys they do not know, so the key "
         "meant would stay unset. Every key a hosted-engine.conf writer ever wrote "
         "(hosted-engine-setup, the ansible collection, the HA agent's upgrade) is known, so "
         "none of them is refused"),
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
    Rule("iSCSI lists that do not pair up: with one `iqn`, a `portal` list; with several "
         "(`iqn` with commas), `storage`, `port`, `iqn`, `portal` and, with CHAP, `user` and "
         "`password` of different lengths, or no `user` or `password` key at all",
         "VDSM fails on a TPGT list; the broker zips the lists by position and silently "
         "drops the targets that do not pair, and a missing key stops the broker"),
    Rule("CHAP `user` without `password`, or the reverse",
         "VDSM logs in with CHAP and half the credentials, which cannot authenticate"),
    Rule("`iscsi_paths_blacklist` with an entry without `<>` (an empty value or a trailing "
         "comma included)", "the broker splits each entry at `<>` and fails on the missing "
         "half, so it never connects the storage"),
)

WARNINGS = (  # type: Tuple[Rule, ...]
    Rule("a value bash reads differently (quotes, backslashes, `$NAME`, a leading `~`) in "
         "any key but `vmid` and `conf`, e.g. a CHAP password",
         "the agent and the broker read it as written; only `hosted-engine`'s bash reads "
         "another value, and it never uses that key"),
    Rule("`host_id` above 250, or written other than plainly (`02`, `+2`)",
         "the engine's default limit is 250; the agent reads the number with int()"),
    Rule("`bridge` longer than 15 characters or with characters no interface name has",
         "the broker looks it up among the host's interfaces (score -600 when missing)"),
    Rule("iSCSI with one `iqn` and `storage` and `port` lists of different lengths (the "
         "warning names the address:port pairs the broker connects)",
         "the broker zips `storage` with `port` and connects the pairs: the host works, with "
         "fewer paths than addresses when `port` is shorter"),
    Rule("iSCSI with several targets and no CHAP",
         "the broker pairs the empty `user` and `password` with the first target only, so it "
         "connects that one alone"),
    Rule("an `iqn` entry that does not look like `iqn.`, `eui.` or `naa.`, and "
         "`iscsi_paths_blacklist` entries that can never match",
         "the broker passes them on as written"),
    Rule("`storage` ending with `/`, `conf` other than the default path, an unknown key "
         "named `type`", "the broker strips the `/`; the agent writes vm.conf at `conf`; "
         "`hosted-engine --get-shared-config` reads `${type}`"),
    Rule("any other unknown `HOSTED_ENGINE_CONFIG/` key, each on a line of its own; it is "
         "written to hosted-engine.conf after the known keys",
         "the readers ignore keys they do not know, and the engine sends the keys of the "
         "cluster's hosted-engine.conf, which may be newer than this validator"),
    Rule("`HOSTED_ENGINE_CONFIG/*` keys in a unit whose action is `none` (or absent) or "
         "`remove`", "they are not used"),
)


def _markdown(rules):
    # type: (Tuple[Rule, ...]) -> List[str]
    lines = []  # type: List[str]
    for rule in rules:
        lines.extend(textwrap.wrap("- {} - {}.".format(rule.refuses, rule.because),
                                   width=99, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False))
    return lines


def rules_markdown():
    # type: () -> str
    """The README list of refusals and warnings, generated from RULES and WARNINGS."""
    return "\n".join(_markdown(RULES) + ["", "Accepted, with a warning:", ""] +
                     _markdown(WARNINGS)) + "\n"
