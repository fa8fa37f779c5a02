"""validation.check/validate: one case per rule, every problem naming its env key."""

import collections
import os

import pytest

from ovirt_he_deploy import confkeys, rules, validation
from ovirt_he_deploy.compat import ascii, isprintable
from ovirt_he_deploy.unit import DeployUnit, InvalidUnit

from .helpers import (
    DOMAIN_TYPES,
    PASSWORD,
    ROOT,
    ZERO_UUID,
    config,
    env_key,
    native_text,
    only_problem,
    problems,
    unit,
    valid,
)


@pytest.mark.parametrize("domain_type", DOMAIN_TYPES)
def test_complete_config_is_valid_for_every_domain_type(domain_type):
    result = valid(config(domain_type))
    assert result.action == "deploy"
    assert result.domain_type == domain_type
    assert dict(result.entries)["domainType"] == domain_type


REQUIRED_CASES = [
    pytest.param(domain_type, key, id="{}-{}".format(domain_type, key))
    for domain_type in DOMAIN_TYPES
    for key in confkeys.required_keys(domain_type)
]


@pytest.mark.parametrize("domain_type, key", REQUIRED_CASES)
def test_every_required_key_missing_is_named(domain_type, key):
    problem = only_problem(config(domain_type, **{key: None}), key)
    assert "is missing" in problem.message and "required" in problem.message
    if key not in confkeys.REQUIRED_ALWAYS:
        assert "domainType={}".format(domain_type) in problem.message
    assert env_key(key) in problem.fix


@pytest.mark.parametrize("domain_type, key", [
    pytest.param("nfs", "host_id", id="nfs-host_id"),
    pytest.param("nfs", "storage", id="nfs-storage"),
    pytest.param("glusterfs", "connectionUUID", id="glusterfs-connectionUUID"),
    pytest.param("iscsi", "iqn", id="iscsi-iqn"),
    pytest.param("iscsi", "portal", id="iscsi-portal"),
    pytest.param("fc", "vmid", id="fc-vmid"),
])
def test_required_key_empty_is_named(domain_type, key):
    problem = only_problem(config(domain_type, **{key: ""}), key)
    assert "is empty" in problem.message


@pytest.mark.parametrize("domain_type, key", [
    pytest.param("fc", "storage", id="fc-storage"),
    pytest.param("fc", "connectionUUID", id="fc-connectionUUID"),
    pytest.param("iscsi", "connectionUUID", id="iscsi-connectionUUID"),
    pytest.param("nfs", "iqn", id="nfs-iqn"),
])
def test_key_of_another_domain_type_is_not_required(domain_type, key):
    valid(config(domain_type, **{key: None}))


@pytest.mark.parametrize("value", ["posixfs", "NFS", "localfs", "iscsi,fc", "glusterfs-fuse"])
def test_unsupported_domain_type_is_rejected(value):
    problem = only_problem(config("fc", domainType=value), "domainType")
    assert ascii(value) in problem.message
    assert "posixfs" in problem.fix and "nfs, nfs3, nfs4, glusterfs, iscsi, fc" in problem.fix


def test_posixfs_message_names_the_value():
    problem = only_problem(config("fc", domainType="posixfs"), "domainType")
    assert "'posixfs'" in problem.message and "not a storage type" in problem.message


@pytest.mark.parametrize("value", ["1", "2", "250", "251", "1999", "2000"])
def test_host_id_in_range_is_valid(value):
    assert valid(config(host_id=value)).host_id == int(value)


@pytest.mark.parametrize("value, fragment", [
    pytest.param("0", "between 1 and 2000", id="zero"),
    pytest.param("2001", "between 1 and 2000", id="2001"),
    pytest.param("-1", "between 1 and 2000", id="negative"),
    pytest.param("1.5", "between 1 and 2000", id="fraction"),
    pytest.param("abc", "between 1 and 2000", id="letters"),
    pytest.param("", "is empty", id="empty"),
    pytest.param(native_text(u"\u0663"), "non-ASCII", id="arabic-digit"),
    pytest.param("2_", "between 1 and 2000", id="trailing-underscore"),
    pytest.param("0x2", "between 1 and 2000", id="hex"),
])
def test_bad_host_id_is_rejected(value, fragment):
    problem = only_problem(config(host_id=value), "host_id")
    assert fragment in problem.message
    if value:
        assert ascii(value) in problem.message


def test_host_id_with_a_space_is_refused_as_unsafe():
    problem = only_problem(config(host_id=" 2"), "host_id")
    assert "blank" in problem.message


@pytest.mark.parametrize("value, read", [("02", 2), ("+2", 2), ("0250", 250)])
def test_host_id_int_reads_is_accepted_with_the_number_it_means(value, read):
    # ovirt-ha-agent and the HA client read it with int() (agent/hosted_engine.py:349).
    unit = valid(config(host_id=value))
    assert unit.host_id == read == int(value)
    assert any("host_id={} is read by ovirt-ha-agent as {}".format(value, read) in w
               for w in unit.warnings)


@pytest.mark.parametrize("value", ["1_0", "+1_0", "2_000"])
def test_host_id_with_an_underscore_is_refused_on_every_python(value):
    # Python 3's int() reads 1_0 as 10, but EL7's ovirt-ha-agent runs on Python 2.7, whose
    # int() refuses it; the engine sends one conf to every host of the cluster, so the unit is
    # refused on any Python, with the same message.
    problem = only_problem(config(host_id=value), "host_id")
    assert problem.message.endswith("value {} is not an integer between 1 and 2000.".format(
        ascii(value)))


@pytest.mark.parametrize("value, warned", [("250", False), ("251", True), ("2000", True)])
def test_host_id_above_engine_default_limit_is_warned(value, warned):
    warnings = valid(config(host_id=value)).warnings
    assert any("host_id={}".format(value) in w and "250" in w for w in warnings) == warned


@pytest.mark.parametrize("value", [
    pytest.param("5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d", id="real-pool-uuid"),
    pytest.param("00000000-0000-0000-0000-000000000001", id="almost-zero"),
    pytest.param("00000000000000000000000000000000", id="zero-without-dashes"),
    pytest.param("", id="empty"),
])
def test_sp_uuid_must_be_the_zero_uuid(value):
    problem = only_problem(config(spUUID=value), "spUUID")
    if value:
        assert "blank pool UUID" in problem.message
        assert ZERO_UUID in problem.fix


@pytest.mark.parametrize("key", confkeys.UUID_KEYS)
@pytest.mark.parametrize("value", [
    pytest.param("not-a-uuid", id="word"),
    pytest.param("5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5", id="short"),
    pytest.param("5c1d2e3f00044a5b8c9d0e1f2a3b4c5d", id="no-dashes"),
    pytest.param("5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5g", id="non-hex"),
])
def test_every_uuid_key_must_be_a_uuid(key, value):
    problem = only_problem(config("nfs", **{key: value}), key)
    assert "is not a UUID" in problem.message and ascii(value) in problem.message


@pytest.mark.parametrize("key", [key for key in confkeys.UUID_KEYS if key != "connectionUUID"])
def test_uuid_keys_refuse_upper_case(key):
    # VDSM takes lower-case UUIDs only and its storage paths are lower case.
    problem = only_problem(config("nfs", **{key: "5C1D2E3F-0004-4a5b-8c9d-0e1f2a3b4c5d"}),
                           key)
    assert "upper-case" in problem.message and "points at nothing" in problem.message
    assert "5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d" in problem.fix


def test_connection_uuid_is_only_an_id_and_may_be_upper_case():
    valid(config("nfs", connectionUUID="E29CF818-5EE5-46E1-85C1-8AEEFA33E95D"))


@pytest.mark.parametrize("network_test", ["ping", "dns", "tcp", "none", ""])
def test_known_network_tests_are_valid(network_test):
    values = config(network_test=network_test, tcp_t_address="192.0.2.5", tcp_t_port="443")
    valid(values)


@pytest.mark.parametrize("value", ["icmp", "PING", "arping"])
def test_unknown_network_test_is_rejected(value):
    problem = only_problem(config(network_test=value), "network_test")
    assert "ping, dns, tcp, none" in problem.fix


@pytest.mark.parametrize("network_test", [
    pytest.param(None, id="absent"), pytest.param("", id="empty"),
    pytest.param("ping", id="ping"),
])
def test_gateway_required_for_ping_or_absent_network_test(network_test):
    problem = only_problem(config(network_test=network_test, gateway=None), "gateway")
    assert "ping" in problem.message


@pytest.mark.parametrize("network_test", ["dns", "none"])
def test_gateway_not_required_for_other_network_tests(network_test):
    valid(config(network_test=network_test, gateway=None))


def test_gateway_must_be_an_address_or_host_name():
    problem = only_problem(config(gateway="192.0.2.1/24"), "gateway")
    assert "neither an IP address nor a host name" in problem.message


@pytest.mark.parametrize("missing", ["tcp_t_address", "tcp_t_port"])
def test_tcp_network_test_needs_address_and_port(missing):
    values = config(network_test="tcp", tcp_t_address="192.0.2.5", tcp_t_port="443")
    values[missing] = ""
    problem = only_problem(values, missing)
    assert "network_test=tcp" in problem.message


@pytest.mark.parametrize("port", ["1", "443", "65535"])
def test_tcp_port_in_range_is_valid(port):
    valid(config(network_test="tcp", tcp_t_address="probe.example.com", tcp_t_port=port))


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http", "44 3", "4.4"])
def test_tcp_port_out_of_range_is_rejected(port):
    values = config(network_test="tcp", tcp_t_address="192.0.2.5", tcp_t_port=port)
    found = problems(values)
    assert [p.key for p in found] == [env_key("tcp_t_port")]


@pytest.mark.parametrize("version", ["auto", "v3", "v4", "v4_0", "v4_1", "v4_2", "",
                                     "3", "4", "4.1", "4_2", "v4.1"])
def test_nfs_versions_the_broker_and_vdsm_read_are_valid(version):
    # The broker drops 'v' and reads '_' as '.' (lib/storage_server.py:100-107).
    valid(config("nfs", nfs_version=version))


@pytest.mark.parametrize("version, read", [
    ("v5", "5"), ("V4", "V4"), ("nfs4", "nfs4"), ("4.3", "4.3"), ("v4_1_0", "4.1.0"),
    ("2", "2"), ("latest", "latest"),
])
def test_nfs_version_vdsm_cannot_mount_is_rejected(version, read):
    problem = only_problem(config("nfs", nfs_version=version), "nfs_version")
    assert "v4_2" in problem.fix and ascii(version) in problem.message
    assert "NFS version {}".format(ascii(read)) in problem.message


@pytest.mark.parametrize("domain_type", ["nfs3", "nfs4", "glusterfs", "iscsi", "fc"])
def test_nfs_version_is_not_checked_where_the_broker_ignores_it(domain_type):
    valid(config(domain_type, nfs_version="whatever"))


@pytest.mark.parametrize("domain_type, storage", [
    pytest.param("nfs", "nfs.example.com:/exports/he", id="nfs-host"),
    pytest.param("nfs", "192.0.2.5:/exports/he", id="nfs-ipv4"),
    pytest.param("nfs4", "[2001:db8::5]:/exports/he", id="nfs4-ipv6-brackets"),
    pytest.param("nfs3", "nfs:/", id="nfs3-root-export"),
    pytest.param("glusterfs", "gl1.example.com:/he", id="glusterfs-host"),
    pytest.param("glusterfs", "[fd00::1]:/he", id="glusterfs-ipv6-brackets"),
    pytest.param("iscsi", "192.0.2.20", id="iscsi-one-portal"),
    pytest.param("iscsi", "2001:db8::20", id="iscsi-ipv6-portal"),
])
def test_storage_shape_is_valid(domain_type, storage):
    valid(config(domain_type, storage=storage))


@pytest.mark.parametrize("domain_type, storage", [
    pytest.param("nfs", "nfs.example.com", id="nfs-no-path"),
    pytest.param("nfs", "nfs.example.com:exports", id="nfs-relative-path"),
    pytest.param("nfs", ":/exports/he", id="nfs-no-server"),
    pytest.param("nfs4", "2001:db8::5:/exports/he", id="nfs4-ipv6-without-brackets"),
    pytest.param("nfs4", "[2001:db8::zz]:/exports/he", id="nfs4-bad-ipv6"),
    pytest.param("nfs", "[nfs.example.com]:/exports", id="nfs-host-name-in-brackets"),
    pytest.param("nfs", "[192.0.2.5]:/exports", id="nfs-ipv4-in-brackets"),
    pytest.param("nfs", "[abc.de]:/exports", id="nfs-hex-host-name-in-brackets"),
    pytest.param("nfs", "nfs_server!:/exports", id="nfs-bad-host-name"),
    pytest.param("glusterfs", "gl1.example.com", id="glusterfs-no-volume"),
    pytest.param("iscsi", "192.0.2.20:3260", id="iscsi-portal-with-port"),
    pytest.param("iscsi", "192.0.2.20,", id="iscsi-trailing-comma"),
    pytest.param("iscsi", "[2001:db8::20]", id="iscsi-ipv6-in-brackets"),
    pytest.param("iscsi", "192.0.2.20/24", id="iscsi-cidr"),
])
def test_bad_storage_shape_is_rejected(domain_type, storage):
    problem = only_problem(config(domain_type, storage=storage), "storage")
    assert "e.g. storage=" in problem.fix


def test_single_target_with_two_portals_and_two_ports_is_valid():
    valid(config("iscsi", storage="192.0.2.20,192.0.2.21", port="3260,3261"))


@pytest.mark.parametrize("storage, port, warned", [
    pytest.param("192.0.2.20,192.0.2.21", "3260",
                 "storage lists 2 portal addresses but port only 1: with one iqn "
                 "ovirt-ha-broker pairs them by position and connects only 192.0.2.20:3260; "
                 "192.0.2.21 is not used (less multipath than meant). To use every address, "
                 "give one port per address, e.g. port=3260,3260.", id="two-portals-one-port"),
    pytest.param("192.0.2.20,192.0.2.21,192.0.2.22", "3260,3261",
                 "connects only 192.0.2.20:3260, 192.0.2.21:3261; 192.0.2.22 is not used",
                 id="three-portals-two-ports"),
    pytest.param("192.0.2.20,192.0.2.21,192.0.2.22", "3260",
                 "192.0.2.21, 192.0.2.22 are not used", id="three-portals-one-port"),
    pytest.param("2001:db8::20,192.0.2.21", "3260", "connects only [2001:db8::20]:3260",
                 id="ipv6-portal"),
    pytest.param("192.0.2.20", "3260,3261",
                 "port lists 2 ports but storage only 1 portal address: with one iqn "
                 "ovirt-ha-broker pairs them by position and connects 192.0.2.20:3260; port "
                 "3261 is not used. Drop it: port=3260.", id="one-portal-two-ports"),
    pytest.param("192.0.2.20", "3260,3261,3262", "ports 3261, 3262 are not used. Drop them",
                 id="one-portal-three-ports"),
])
def test_single_target_storage_and_port_of_different_lengths_is_a_warning(storage, port,
                                                                         warned):
    # The broker zips storage with port (lib/storage_server.py:309-313) and connects the
    # pairs: the host works, with fewer paths than meant; never a refusal.
    result = valid(config("iscsi", storage=storage, port=port))
    assert dict(result.entries)["storage"] == storage
    assert dict(result.entries)["port"] == port
    assert [warning for warning in result.warnings if warned in warning], result.warnings


def test_single_target_storage_and_port_that_pair_up_are_not_warned():
    result = valid(config("iscsi", storage="192.0.2.20,192.0.2.21", port="3260,3261"))
    assert not [warning for warning in result.warnings if "pairs them" in warning]


def test_multi_target_storage_and_port_of_different_lengths_stays_refused():
    values = config("iscsi", **MULTI)
    values["port"] = "3260"
    problem = only_problem(values, "iqn")
    assert "pairs them by position and drops" in problem.message


def test_single_target_portal_must_be_one_tag():
    # lib/storage_server.py:320 passes it whole; VDSM int()s it (storageServer.py:1074).
    problem = only_problem(config("iscsi", storage="192.0.2.20,192.0.2.21",
                                  port="3260,3260", portal="1,1"), "portal")
    assert "one target portal group tag" in problem.message


@pytest.mark.parametrize("value", [None, "True"])
def test_configured_absent_or_exactly_true_is_valid(value):
    valid(config(configured=value))


@pytest.mark.parametrize("value", ["true", "False", "", "1", "yes", "TRUE"])
def test_configured_other_values_are_rejected(value):
    problem = only_problem(config(configured=value), "configured")
    assert "refuse to run" in problem.message and "drop the configured line" in problem.fix


@pytest.mark.parametrize("user, password", [
    pytest.param("chap-user", PASSWORD, id="both"),
    pytest.param(None, None, id="neither-absent"),
    pytest.param("", "", id="neither-empty"),
])
def test_chap_user_and_password_both_or_neither(user, password):
    valid(config("iscsi", user=user, password=password))


@pytest.mark.parametrize("user, password, missing", [
    pytest.param("chap-user", None, "password", id="user-only"),
    pytest.param("chap-user", "", "password", id="user-and-empty-password"),
    pytest.param(None, PASSWORD, "user", id="password-only"),
])
def test_chap_half_set_is_rejected(user, password, missing):
    problem = only_problem(config("iscsi", user=user, password=password), missing)
    assert "CHAP needs both" in problem.message
    assert "both user and password" in problem.fix


MULTI = {
    "storage": "192.0.2.20,192.0.2.21",
    "port": "3260,3260",
    "iqn": "iqn.2024-01.com.example:a,iqn.2024-01.com.example:b",
    "portal": "1,1",
    "user": "chap-a,chap-b",
    "password": PASSWORD + "," + PASSWORD[::-1],
}


def test_multi_target_iscsi_with_matching_lists_is_valid():
    assert valid(config("iscsi", **MULTI)).get("iqn") == MULTI["iqn"]


@pytest.mark.parametrize("short_key", ["storage", "port", "portal"])
def test_multi_target_iscsi_list_lengths_must_match(short_key):
    values = config("iscsi", **MULTI)
    values[short_key] = MULTI[short_key].split(",")[0]
    problem = only_problem(values, "iqn")
    assert "has 2 targets" in problem.message and "one entry per target" in problem.fix


@pytest.mark.parametrize("key, value", [
    pytest.param("user", "chap-a", id="one-user-for-two-targets"),
    pytest.param("password", "Ab,Cd9xyz,Ef", id="three-passwords-for-two-targets"),
])
def test_multi_target_chap_lists_need_one_entry_per_target(key, value):
    problem = only_problem(config("iscsi", **dict(MULTI, **{key: value})), key)
    assert "iqn lists 2 targets" in problem.message and "per target" in problem.fix
    assert value not in str(problem)


def test_multi_target_without_chap_is_valid_with_a_warning_about_the_first_target():
    unit = valid(config("iscsi", **dict(MULTI, user="", password="")))
    assert any("iqn lists 2 targets" in w and "first target only" in w for w in unit.warnings)


@pytest.mark.parametrize("key", ["user", "password"])
def test_multi_target_needs_the_chap_keys_present(key):
    # lib/storage_server.py:281-282 splits them: None.split stops the broker.
    values = config("iscsi", **dict(MULTI, user="", password=""))
    del values[key]
    problem = only_problem(values, key)
    assert "is missing" in problem.message and "stops" in problem.message


@pytest.mark.parametrize("key, value", [
    pytest.param("port", "3260,x", id="port-not-number"),
    pytest.param("portal", "192.0.2.20", id="portal-address-instead-of-tag"),
])
def test_iscsi_lists_are_checked(key, value):
    only_problem(config("iscsi", **{key: value}), key)


@pytest.mark.parametrize("iqn", ["target-name", "iqn.2024-01.com.example:he+1"])
def test_iqn_that_does_not_look_like_one_is_passed_on_with_a_warning(iqn):
    unit = valid(config("iscsi", iqn=iqn))
    assert unit.get("iqn") == iqn
    assert any("does not look like an iSCSI name" in w for w in unit.warnings) == (
        not iqn.startswith("iqn."))


@pytest.mark.parametrize("action", [
    pytest.param("deploy", id="deploy"), pytest.param("remove", id="remove"),
    pytest.param("none", id="none"), pytest.param(None, id="absent"),
])
def test_valid_actions(action):
    result, found = validation.validate(unit(config(), action=action))
    assert found == []
    assert result.action == (action or "none")


@pytest.mark.parametrize("action", [
    pytest.param("Deploy", id="capitalised"), pytest.param("undeploy", id="undeploy"),
    pytest.param("", id="empty"), pytest.param(True, id="bool"),
    pytest.param(1, id="int"), pytest.param(["deploy"], id="list"),
])
def test_other_actions_are_rejected(action):
    result, found = validation.validate(unit(config(), action=action))
    assert result is None
    assert [p.key for p in found] == ["HOSTED_ENGINE/action"]
    assert ascii(action) in found[0].message and "deploy, remove, none" in found[0].fix


@pytest.mark.parametrize("action", ["remove", "none"])
def test_remove_and_none_do_not_check_the_config(action):
    result = validation.check(unit({"host_id": "nonsense"}, action=action))
    assert result.action == action and result.entries == ()


@pytest.mark.parametrize("action, why", [
    pytest.param(None, "HOSTED_ENGINE/action is absent, which means none", id="absent"),
    pytest.param("none", "HOSTED_ENGINE/action is none", id="none"),
    pytest.param("remove", "HOSTED_ENGINE/action is remove", id="remove"),
])
def test_config_keys_without_deploy_are_said_to_be_unused(action, why):
    # in this order on Python 2.7 too, whose dicts have none
    result = validation.check(unit(collections.OrderedDict(
        [("host_id", "2"), ("fqdn", "e.example.com")]), action=action))
    (warning,) = result.warnings
    assert warning.startswith("2 HOSTED_ENGINE_CONFIG/* keys will not be used: " + why)
    assert "(host_id fqdn)" in warning and "HOSTED_ENGINE/action=str:deploy" in warning


@pytest.mark.parametrize("action", [None, "none", "remove"])
def test_no_config_keys_no_warning(action):
    assert validation.check(unit({}, action=action)).warnings == ()


def test_unused_key_names_are_escaped():
    result = validation.check(unit({"bad\x1b[2Jkey": "1"}, action=None))
    assert isprintable(result.warnings[0]) and "bad\\x1b[2Jkey" in result.warnings[0]


def test_int_value_is_accepted_as_text():
    result = valid(config(host_id=7, port=None))
    assert result.get("host_id") == "7"
    assert all(isinstance(value, str) for _, value in result.entries)


@pytest.mark.parametrize("value, type_name", [
    pytest.param(True, "bool", id="bool-true"),
    pytest.param(False, "bool", id="bool-false"),
    pytest.param(None, "NoneType", id="none"),
    pytest.param(["a", "b"], "list", id="list"),
    pytest.param(1.5, "float", id="float"),
])
def test_non_str_values_are_rejected(value, type_name):
    values = config()
    values["mnt_options"] = value
    problem = only_problem(values, "mnt_options")
    assert "has type {}".format(type_name) in problem.message
    assert "str:" in problem.fix


def test_all_problems_are_collected_together():
    values = config("iscsi", host_id="0", spUUID="x", fqdn=None, port="99999",
                    user="u", password=None, mnt_options=True)
    with pytest.raises(InvalidUnit) as caught:
        validation.check(unit(values))
    keys = {p.key for p in caught.value.problems}
    assert keys == {env_key(k) for k in
                    ("host_id", "spUUID", "fqdn", "port", "password", "mnt_options")}
    assert "(6 problems)" in str(caught.value)
    for problem in caught.value.problems:
        assert str(problem) in str(caught.value)


SECRET_CASES = [
    pytest.param({"password": "Sup3r$ecret"}, "Sup3r$ecret", id="unsafe-password"),
    pytest.param({"password": "p@ss word"}, "p@ss word", id="password-with-space"),
    pytest.param({"password": native_text(u"h\u00e9mlig")}, native_text(u"h\u00e9mlig"),
                 id="non-ascii-password"),
    pytest.param({"password": 12345678}, "12345678", id="int-password-is-fine-but-user"),
    pytest.param({"password": ["s3cr3tlist"]}, "s3cr3tlist", id="list-password"),
    pytest.param({"user": "chap;user"}, "chap;user", id="unsafe-user"),
    pytest.param(dict(MULTI, password="Ab,Cd9xyz,Ef"), "Cd9xyz", id="multi-count"),
]


@pytest.mark.parametrize("changes, secret", SECRET_CASES)
def test_secrets_never_appear_in_messages(changes, secret):
    values = config("iscsi", **changes)
    values["host_id"] = "0"  # always at least one problem
    with pytest.raises(InvalidUnit) as caught:
        validation.check(unit(values))
    text = str(caught.value)
    assert secret not in text and ascii(secret) not in text
    assert repr(secret) not in repr(caught.value.problems)


def test_unsafe_password_fix_explains_what_a_chap_password_may_hold():
    problem = only_problem(config("iscsi", password="a'b"), "password")
    assert "(hidden)" in problem.message and "CHAP password" in problem.fix


@pytest.mark.parametrize("key, value", [
    pytest.param("ca_cert", "/etc/pki/vdsm/libvirt-spice/ca-cert.pem", id="ca_cert"),
    pytest.param("ca_subject", '"C=EN, L=Test, O=Test, CN=Test"', id="ca_subject-quoted"),
    pytest.param("console", "vnc", id="console"),
    pytest.param("vdsm_use_ssl", "true", id="vdsm_use_ssl"),
])
def test_legacy_keys_are_dropped_with_a_note(key, value):
    result = valid(config(**{key: value}))
    assert result.get(key) is None
    assert key not in dict(result.entries)
    assert result.dropped_keys == (key,)
    assert any(note.startswith(key + " dropped") for note in result.notes)


def test_unknown_keys_are_kept_listed_and_ordered_after_known_keys():
    result = valid(config(zz_custom="1", aa_custom="x", he_extra="y"))
    assert result.unknown_keys == ("aa_custom", "he_extra", "zz_custom")
    names = [name for name, _ in result.entries]
    assert names[-3:] == ["aa_custom", "he_extra", "zz_custom"]
    known = names[:-3]
    assert known == sorted(known, key=confkeys.CANONICAL_ORDER.index)


@pytest.mark.parametrize("key, value, fragment", [
    pytest.param("custom", "a;b", "operator ';'", id="unsafe-value"),
    pytest.param("bad-key", "1", "not a shell identifier", id="unsafe-key"),
    pytest.param("9lives", "1", "not a shell identifier", id="key-starting-with-digit"),
])
def test_unknown_keys_are_safety_checked(key, value, fragment):
    problem = only_problem(config(**{key: value}), key)
    assert fragment in problem.message


def test_warnings_for_trailing_slash_and_unusual_conf_path():
    result = valid(config(storage="nfs.example.com:/exports/he/", conf="/run/he/vm.conf"))
    assert any("ends with '/'" in w for w in result.warnings)
    assert any("conf=/run/he/vm.conf" in w for w in result.warnings)


def test_check_returns_the_same_unit_as_validate():
    values = config("iscsi")
    assert validation.check(unit(values)) == validation.validate(unit(values))[0]


@pytest.mark.parametrize("domain_type, changes, key", [
    pytest.param("fc", {"domainType": "nfs "}, "domainType", id="unsafe-required-value"),
    pytest.param("nfs", {"host_id": True}, "host_id", id="bool-required-value"),
    pytest.param("nfs", {"network_test": "p;ng", "gateway": None}, "network_test",
                 id="unsafe-network-test"),
    pytest.param("nfs", {"gateway": "a b"}, "gateway", id="unsafe-gateway"),
    pytest.param("nfs", {"network_test": "tcp", "tcp_t_address": "192.0.2.5",
                         "tcp_t_port": ["443"]}, "tcp_t_port", id="list-tcp-port"),
    pytest.param("iscsi", {"password": "a b"}, "password", id="unsafe-chap-password"),
    pytest.param("iscsi", dict(MULTI, portal="1;1"), "portal", id="unsafe-multi-portal"),
])
def test_refused_value_is_reported_once_not_also_as_missing(domain_type, changes, key):
    problem = only_problem(config(domain_type, **changes), key)
    assert "missing" not in problem.message and "empty" not in problem.message


# -- host names, fqdn, bridge -------------------------------------------------------------


@pytest.mark.parametrize("value", ["engine.example.com", "eng_ine.example.com", "engine",
                                   "192.0.2.5", "[2001:db8::5]", "engine.example.com."])
def test_fqdn_the_liveliness_check_can_fetch_is_valid(value):
    valid(config(fqdn=value))


@pytest.mark.parametrize("value", ["2001:db8::5", "engine:8080", "-engine", "http://engine",
                                   "engine/x", "[engine.example.com]", "a..b"])
def test_fqdn_the_liveliness_url_cannot_carry_is_refused(value):
    # check_liveliness.py:168-176 fetches http://{fqdn}/ovirt-engine/services/health.
    problem = only_problem(config(fqdn=value), "fqdn")
    assert "check-liveliness" in problem.message


@pytest.mark.parametrize("key", ["gateway", "tcp_t_address"])
@pytest.mark.parametrize("value", ["gw_1.example.com", "2001:db8::1", "192.0.2.1"])
def test_network_test_addresses_take_host_names_with_underscores(key, value):
    values = config(network_test="tcp", tcp_t_address="192.0.2.9", tcp_t_port="443")
    values[key] = value
    valid(values)


@pytest.mark.parametrize("value", ["-f", "-gw", "gw;x", "192.0.2.1/24"])
def test_gateway_that_ping_would_read_as_an_option_or_fail_on_is_refused(value):
    assert [p.key for p in problems(config(gateway=value))] == [env_key("gateway")]


@pytest.mark.parametrize("value, warned", [
    ("ovirtmgmt", False), ("bond0.100", False), ("br_0-x", False), ("x" * 15, False),
    ("x" * 16, True), ("a_very_long_network_name", True), ("net@x", True),
])
def test_bridge_is_accepted_and_an_impossible_interface_name_warned(value, warned):
    unit = valid(config(bridge=value))
    assert unit.get("bridge") == value
    assert any(w.startswith("bridge=") and "score by 600" in w for w in unit.warnings) == warned


def test_unknown_key_type_is_warned_as_a_script_variable():
    unit = valid(config(type="he_shared"))
    assert any(w.startswith("type: hosted-engine reads ${type}") for w in unit.warnings)


# -- what a message may show --------------------------------------------------------------


@pytest.mark.parametrize("key", ["bad\x1b[2Jkey", "bad\rkey", native_text(u"bad\u202ekey"),
                                 "bad\x00"])
def test_problem_keys_never_carry_raw_control_characters(key):
    found = problems(config(**{key: "1"}))
    assert len(found) == 1
    assert isprintable(found[0].key) and isprintable(str(found[0]))
    assert isprintable(str(InvalidUnit(found)).replace("\n", ""))


@pytest.mark.parametrize("key, value", [
    pytest.param("fqdn", "engine\x1b[2J", id="fqdn-escape"),
    pytest.param("custom", "a\rb", id="custom-cr"),
    pytest.param("fqdn", native_text(u"eng\u202eine"), id="fqdn-bidi"),
    pytest.param("host_id", "2\x9b", id="host-id-c1"),
])
def test_values_in_messages_are_escaped(key, value):
    found = problems(config(**{key: value}))
    assert found and all(isprintable(str(p)) for p in found)


# -- the rules list is the README's ---------------------------------------------------------


def readme_section():
    with open(os.path.join(ROOT, "README.md")) as stream:
        text = stream.read()
    start = text.index("### What the validator refuses\n")
    end = text.index("\n## ", start)
    return text[start:end]


def test_readme_lists_exactly_the_rules_in_the_code():
    section = readme_section()
    generated = rules.rules_markdown()
    assert generated in section, "regenerate: python -c 'from ovirt_he_deploy import " \
                                 "rules; print(rules.rules_markdown())'"
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(rules.RULES) + len(rules.WARNINGS)


# One example per rule: the config change that triggers it, and the key it names.
RULE_EXAMPLES = [
    ("`HOSTED_ENGINE/action` other than", None, None, "HOSTED_ENGINE/action"),
    ("a key under `HOSTED_ENGINE/` other than", "stray", ("HOSTED_ENGINE/actoin",),
     "HOSTED_ENGINE/actoin"),
    ("an `OVIRT_HE_DEPLOY/` key that is not", "settings",
     {"OVIRT_HE_DEPLOY/serviceWaitSecond": 300}, "OVIRT_HE_DEPLOY/serviceWaitSecond"),
    ("not text", "nfs", {"mnt_options": True}, "mnt_options"),
    ("not a shell identifier", "nfs", {"host-id": "2"}, "host-id"),
    ("without a lower-case letter", "nfs", {"PATH": "/tmp"}, "PATH"),
    ("not a hosted-engine.conf key but one edit", "nfs", {"gatway": "192.0.2.1"}, "gatway"),
    ("control character", "nfs", {"mnt_options": "a\x1bb"}, "mnt_options"),
    ("non-ASCII", "nfs", {"mnt_options": native_text(u"h\u00e9")}, "mnt_options"),
    ("starts or ends with a blank", "nfs", {"fqdn": "engine.example.com "}, "fqdn"),
    ("bash would run or stop on", "iscsi", {"password": "a;reboot"}, "password"),
    ("in `vmid` and `conf`", "nfs", {"conf": "/run/$x/vm.conf"}, "conf"),
    ("missing or empty required key", "nfs", {"sdUUID": None}, "sdUUID"),
    ("`domainType` other than", "nfs", {"domainType": "posixfs"}, "domainType"),
    ("`host_id` that is not an integer", "nfs", {"host_id": "0"}, "host_id"),
    ("`spUUID` other than", "nfs", {"spUUID": "5c1d2e3f-0004-4a5b-8c9d-0e1f2a3b4c5d"},
     "spUUID"),
    ("lower-case UUID", "nfs", {"sdUUID": "5C1D2E3F-0004-4A5B-8C9D-0E1F2A3B4C5D"}, "sdUUID"),
    ("`fqdn` that is not", "nfs", {"fqdn": "2001:db8::5"}, "fqdn"),
    ("`gateway` or `tcp_t_address`", "nfs", {"gateway": "-f"}, "gateway"),
    ("`network_test` other than", "nfs", {"network_test": "icmp"}, "network_test"),
    ("`tcp_t_port`", "nfs", {"network_test": "tcp", "tcp_t_address": "192.0.2.5",
                             "tcp_t_port": "0"}, "tcp_t_port"),
    ("`storage` that is not", "nfs", {"storage": "nfs.example.com"}, "storage"),
    ("`nfs_version`", "nfs", {"nfs_version": "v5"}, "nfs_version"),
    ("`configured` other than", "nfs", {"configured": "true"}, "configured"),
    ("`conf` that is not an absolute path", "nfs", {"conf": "vm.conf"}, "conf"),
    ("iSCSI `port` that is not", "iscsi", {"port": "0"}, "port"),
    ("iSCSI lists that do not pair up", "iscsi", {"portal": "1,1"}, "portal"),
    ("CHAP `user` without `password`", "iscsi", {"password": ""}, "password"),
    ("`iscsi_paths_blacklist` with an entry", "iscsi", {"iscsi_paths_blacklist": ""},
     "iscsi_paths_blacklist"),
]


def test_every_rule_has_an_example():
    assert [fragment for fragment, _, _, _ in RULE_EXAMPLES] == [
        next(fragment for fragment, _, _, _ in RULE_EXAMPLES if fragment in rule.refuses)
        for rule in rules.RULES]


@pytest.mark.parametrize("fragment, domain_type, changes, key", RULE_EXAMPLES,
                         ids=[example[0] for example in RULE_EXAMPLES])
def test_every_rule_refuses_its_example(fragment, domain_type, changes, key):
    assert any(fragment in rule.refuses for rule in rules.RULES)
    if domain_type is None:
        result, found = validation.validate(unit(config(), action="install"))
        assert [p.key for p in found] == [key]
        return
    if domain_type == "stray":
        result, found = validation.validate(stray_unit(changes))
        assert [p.key for p in found] == [key]
        return
    if domain_type == "settings":
        assert [p.key for p in validation.setting_problems(changes)] == [key]
        return
    only_problem(config(domain_type, **changes), key)


# -- misspelt and unknown keys -------------------------------------------------------------


@pytest.mark.parametrize("typo, meant", [
    pytest.param("gatway", "gateway", id="gatway"),
    pytest.param("Host_ID", "host_id", id="case"),
    pytest.param("sdUUDI", "sdUUID", id="swap"),
    pytest.param("lockspce_volme_UUID", "lockspace_volume_UUID", id="two-slips-long-key"),
])
def test_a_misspelt_conf_key_is_refused_with_the_key_meant_and_no_missing_noise(typo, meant):
    values = config()
    values[typo] = values.pop(meant)
    problem = only_problem(values, typo)
    assert "is not a hosted-engine.conf key but" in problem.message
    assert "from {}: no reader would use it, so {} would stay unset.".format(
        meant, meant) in problem.message
    assert problem.fix == "rename it to {} (keys are case-sensitive).".format(env_key(meant))


def test_a_typo_near_two_keys_names_both():
    values = config()
    values["sxUUID"] = values.pop("sdUUID")
    problem = only_problem(values, "sxUUID")
    assert "from sdUUID and spUUID" in problem.message
    assert "rename it to HOSTED_ENGINE_CONFIG/sdUUID or HOSTED_ENGINE_CONFIG/spUUID" \
        in problem.fix


def test_a_misspelt_key_next_to_the_right_one_is_refused_too():
    problem = only_problem(config(gatway="192.0.2.1"), "gatway")
    assert "rename it to HOSTED_ENGINE_CONFIG/gateway" in problem.fix


def test_a_key_that_is_no_shell_identifier_suggests_the_key_meant():
    problem = only_problem(config(**{"host-id": "2"}), "host-id")
    assert "the key 'host-id'" in problem.message
    assert problem.fix.endswith("rename it to HOSTED_ENGINE_CONFIG/host_id.")


@pytest.mark.parametrize("key", ["he_future_setting", "my_site_note", "gateway_address_v6"])
def test_an_unknown_far_key_is_kept_with_a_warning_of_its_own(key):
    result = valid(config(**{key: "x"}))
    assert dict(result.entries)[key] == "x"
    assert key in result.unknown_keys
    assert [warning for warning in result.warnings if warning.startswith(
        "HOSTED_ENGINE_CONFIG/{}: not a hosted-engine.conf key".format(key))]
    assert all("\n" not in warning for warning in result.warnings)


@pytest.mark.parametrize("key", sorted(confkeys.HISTORICAL_KEYS))
def test_a_historical_key_is_kept_and_said_to_be_old(key):
    result = valid(config(**{key: "1"}))
    assert dict(result.entries)[key] == "1"
    assert [warning for warning in result.warnings if warning.startswith(
        "HOSTED_ENGINE_CONFIG/{}: an old hosted-engine.conf key no reader uses any "
        "more".format(key))]


@pytest.mark.parametrize("key", sorted(confkeys.WRITTEN_KEYS))
def test_no_key_a_writer_wrote_is_refused_as_a_typo(key):
    values = config("iscsi")
    values.setdefault(key, "1" if key not in confkeys.UUID_KEYS else COMMON_UUID)
    found = problems(values)
    assert not [p for p in found if "is not a hosted-engine.conf key" in p.message]


COMMON_UUID = "5c1d2e3f-00ff-4a5b-8c9d-0e1f2a3b4c5d"


def stray_unit(names, action="deploy", values=None):
    config_items = tuple((values or config()).items())
    return DeployUnit(action=action, config=config_items, stray=tuple(sorted(names)))


@pytest.mark.parametrize("action", ["deploy", "remove", "none", None])
def test_a_key_under_hosted_engine_but_action_is_refused_in_every_action(action):
    result, found = validation.validate(stray_unit(["HOSTED_ENGINE/actoin"], action=action))
    assert result is None
    assert [p.key for p in found] == ["HOSTED_ENGINE/actoin"]
    assert "under HOSTED_ENGINE/ there is only action" in found[0].message
    assert found[0].fix == ("rename it to HOSTED_ENGINE/action (e.g. "
                            "HOSTED_ENGINE/action=str:deploy).")
    assert ("the action is none: nothing would be done" in found[0].message) == (
        action is None)


def test_a_misspelt_prefix_is_named_once_and_alone():
    names = ["HOSTED_ENGINE_CONFIGS/" + key for key in config()]
    result, found = validation.validate(stray_unit(names, values={}))
    assert result is None and [p.key for p in found] == ["HOSTED_ENGINE_CONFIGS/"]
    assert "nothing reads the {} keys under it".format(len(names)) in found[0].message
    assert "(and {} more)".format(len(names) - 8) in found[0].message
    assert found[0].fix.startswith("write HOSTED_ENGINE_CONFIG/ instead of "
                                   "HOSTED_ENGINE_CONFIGS/ in each of them")


def test_an_invalid_action_is_reported_with_the_stray_keys():
    result, found = validation.validate(stray_unit(["HOSTED-ENGINE/action"], action="install"))
    assert [p.key for p in found] == ["HOSTED_ENGINE/action", "HOSTED-ENGINE/"]
    assert found[1].fix == ("rename HOSTED-ENGINE/action to HOSTED_ENGINE/action (keys are "
                            "case-sensitive).")


def test_stray_keys_come_from_the_environment():
    env = {"HOSTED_ENGINE/action": "deploy", "HOSTED_ENGINE/actoin": "deploy",
           "hosted_engine_config/fqdn": "x", "CORE/logDir": "/tmp",
           "HOSTED_ENGINE_CONFIG/fqdn": "engine.example.com"}
    unit = DeployUnit.from_environment(env)
    assert unit.stray == ("HOSTED_ENGINE/actoin", "hosted_engine_config/fqdn")
    assert unit.config == (("fqdn", "engine.example.com"),)
    assert DeployUnit.from_environment({"CORE/logDir": "/tmp"}).stray == ()


def test_a_setting_set_to_none_keeps_its_default_and_is_not_refused():
    # otopi's none:None: envkeys.setting falls back to the default, so nothing is lost.
    assert validation.setting_problems({"OVIRT_HE_DEPLOY/confFile": None}) == []


@pytest.mark.parametrize("name, meant", [
    ("OVIRT_HE_DEPLOY/serviceWaitSecond", "OVIRT_HE_DEPLOY/serviceWaitSeconds"),
    ("OVIRT_HE_DEPLOY/CONFFILE", "OVIRT_HE_DEPLOY/confFile"),
    ("OVIRT_HE_DEPLOY/somethingElse", None),
])
def test_an_unknown_setting_names_the_one_meant_within_the_typo_distance(name, meant):
    (problem,) = validation.setting_problems({name: "x"})
    assert ("rename it to {}".format(meant) in problem.fix) if meant else \
        problem.fix.startswith("drop it;")
