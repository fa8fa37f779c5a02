"""keynames: which keys are typos of the deploy unit's, and the key meant; no real key ever is."""

import itertools
import re

import pytest

from ovirt_he_deploy import confkeys, envkeys, keynames

# Every key a hosted-engine.conf writer ever wrote, read off their histories:
# ovirt-hosted-engine-setup templates/hosted-engine.conf.in (all versions, 2013-2018) and
# src/plugins/gr-he-setup/core/conf.py; ovirt-ansible-collection's hosted-engine.conf.j2;
# ovirt-hosted-engine-ha env/config_constants.py and env/config.py (all versions: what
# the agent and broker read, upgrade.py's rewrite).
SETUP_TEMPLATE_KEYS = (
    "bridge", "ca_cert", "ca_subject", "conf", "conf_image_UUID", "conf_volume_UUID",
    "connectionUUID", "console", "domainType", "fqdn", "gateway", "host_id", "iqn",
    "lockspace_image_UUID", "lockspace_volume_UUID", "metadata_image_UUID",
    "metadata_volume_UUID", "mnt_options", "password", "port", "portal", "sdUUID",
    "service_start_time", "spUUID", "storage", "user", "vdsm_use_ssl", "vm_disk_id",
    "vm_disk_vol_id", "vmid",
)
ANSIBLE_TEMPLATE_KEYS = (
    "fqdn", "vm_disk_id", "vm_disk_vol_id", "vmid", "storage", "nfs_version", "mnt_options",
    "conf", "host_id", "console", "domainType", "spUUID", "sdUUID", "connectionUUID",
    "ca_cert", "ca_subject", "vdsm_use_ssl", "gateway", "bridge", "network_test",
    "tcp_t_address", "tcp_t_port", "metadata_volume_UUID", "metadata_image_UUID",
    "lockspace_volume_UUID", "lockspace_image_UUID", "conf_volume_UUID", "conf_image_UUID",
    "iqn", "portal", "user", "password", "port",
)
HA_READ_KEYS = (
    "domainType", "fqdn", "configured", "gateway", "host_id", "sdUUID", "spUUID",
    "vdsm_use_ssl", "bridge", "vm_disk_id", "vm_disk_vol_id", "metadata_volume_UUID",
    "metadata_image_UUID", "lockspace_volume_UUID", "lockspace_image_UUID",
    "conf_volume_UUID", "conf_image_UUID", "conf", "vmid", "storage", "mnt_options",
    "nfs_version", "connectionUUID", "iqn", "portal", "user", "password", "port",
    "iscsi_paths_blacklist", "network_test", "tcp_t_address", "tcp_t_port", "tpgt",
)
REAL_KEYS = sorted(set(SETUP_TEMPLATE_KEYS + ANSIBLE_TEMPLATE_KEYS + HA_READ_KEYS))


def test_every_key_a_writer_ever_wrote_is_known():
    assert sorted(set(REAL_KEYS) - confkeys.WRITTEN_KEYS) == []


@pytest.mark.parametrize("key", REAL_KEYS)
def test_no_real_key_is_ever_taken_for_a_typo(key):
    assert keynames.conf_keys_meant(key) == ()


# Pairs of real keys within the allowed edits of each other. Both are known, so neither is
# ever a typo (exact match first); a typo near both names both.
CLOSE_PAIRS = {("sdUUID", "spUUID")}


def test_real_keys_close_to_each_other_are_only_the_handled_pairs():
    close = {
        tuple(sorted((first, second)))
        for first, second in itertools.permutations(confkeys.WRITTEN_KEYS, 2)
        if keynames.distance(first.lower(), second.lower()) <= keynames.allowed_edits(second)
    }
    assert close == CLOSE_PAIRS


@pytest.mark.parametrize("typo, meant", [
    pytest.param("sxUUID", ("sdUUID", "spUUID"), id="sdUUID-spUUID"),
    pytest.param("porta", ("port", "portal"), id="port-portal"),
])
def test_a_typo_near_two_keys_names_both(typo, meant):
    assert keynames.conf_keys_meant(typo) == meant


@pytest.mark.parametrize("first, second, edits", [
    ("gateway", "gateway", 0), ("gatway", "gateway", 1), ("gateway", "gatewya", 1),
    ("prot", "port", 1), ("hostid", "host_id", 1), ("vmid", "vmidd", 1), ("", "abc", 3),
    ("ab", "ba", 1), ("abc", "ca", 3), ("kitten", "sitting", 3),
])
def test_distance_counts_inserts_deletes_substitutions_and_swaps(first, second, edits):
    assert keynames.distance(first, second) == edits
    assert keynames.distance(second, first) == edits


@pytest.mark.parametrize("typo, meant", [
    pytest.param("gatway", ("gateway",), id="missing-letter"),
    pytest.param("Host_ID", ("host_id",), id="case"),
    pytest.param("hostid", ("host_id",), id="missing-underscore"),
    pytest.param("sdUUDI", ("sdUUID",), id="swap"),
    pytest.param("metadata_volume_uuid", ("metadata_volume_UUID",), id="case-long"),
    pytest.param("lockspce_volme_UUID", ("lockspace_volume_UUID",), id="two-slips-long-key"),
    pytest.param("passwd", (), id="two-slips-short-key"),
    pytest.param("he_future_setting", (), id="far"),
    pytest.param("type", (), id="script-variable"),
    pytest.param("gateway6", ("gateway",), id="one-more-letter"),
])
def test_conf_keys_meant(typo, meant):
    assert keynames.conf_keys_meant(typo) == meant


@pytest.mark.parametrize("name, prefix", [
    ("HOSTED_ENGINE_CONFIGS/fqdn", envkeys.CONFIG_PREFIX),
    ("HOSTED_ENGINE_CONF/fqdn", envkeys.CONFIG_PREFIX),
    ("hosted_engine_config/fqdn", envkeys.CONFIG_PREFIX),
    ("Hosted-Engine-Config/fqdn", envkeys.CONFIG_PREFIX),
    ("HOSTED-ENGINE/action", envkeys.ACTION_PREFIX),
    ("hosted_engine/action", envkeys.ACTION_PREFIX),
    ("HOSTED ENGINE/action", envkeys.ACTION_PREFIX),
    ("HOSTEDENGINE/action", envkeys.ACTION_PREFIX),
    ("HSOTED_ENGINE/action", envkeys.ACTION_PREFIX),
])
def test_a_near_miss_prefix_is_stray_and_names_ours(name, prefix):
    assert keynames.prefix_meant(name) == prefix
    assert keynames.is_stray(name)
    assert envkeys.maybe_stray([name])


# Sections other otopi plugins use (otopi, ovirt-host-deploy, hosted-engine-setup, the
# engine), ours, and ones merely sharing a word: never stray.
@pytest.mark.parametrize("name", [
    "HOSTED_ENGINE/action", "HOSTED_ENGINE_CONFIG/fqdn", "HOSTED_ENGINE_CONFIG/gatway",
    "OVIRT_HE_DEPLOY/confFile", "CORE/logDir", "BASE/pluginGroups", "OVIRT_ENGINE/fqdn",
    "VDSM/ovirt-engine", "OVEHOSTED_CORE/deployProceed", "OVEHOSTED_ENGINE/adminPassword",
    "HOSTED_ENGINE_SETUP/x", "HOSTED_ENGINE_CONFIGURATION_TOOL/x", "ENGINE/x", "HOSTED/x",
    "HE_FAKES/stateFile", "ODEPLOY/x", "no_prefix_at_all",
])
def test_keys_that_are_not_ours_are_not_stray(name):
    assert not keynames.is_stray(name)
    assert keynames.stray_keys([name]) == ()


@pytest.mark.parametrize("name, meant", [
    ("HOSTED_ENGINE/actoin", "HOSTED_ENGINE/action"),
    ("HOSTED_ENGINE/Action", "HOSTED_ENGINE/action"),
    ("HOSTED_ENGINE/anything", "HOSTED_ENGINE/action"),
    ("HOSTED_ENGINE/host_id", "HOSTED_ENGINE_CONFIG/host_id"),
    ("HOSTED_ENGINE/gatway", "HOSTED_ENGINE_CONFIG/gateway"),
    ("HOSTED-ENGINE/action", "HOSTED_ENGINE/action"),
    ("HOSTED_ENGINE_CONFIGS/fqdn", "HOSTED_ENGINE_CONFIG/fqdn"),
    ("HOSTED_ENGINE_CONFIGS/new_key", "HOSTED_ENGINE_CONFIG/new_key"),
    ("HOSTED_ENGINE_CONFIGS/action", "HOSTED_ENGINE/action"),
])
def test_the_key_meant(name, meant):
    assert keynames.is_stray(name)
    assert keynames.meant(name) == meant


def test_stray_keys_are_sorted_and_grouped_by_prefix():
    names = ["CORE/x", "HOSTED_ENGINE_CONFIGS/b", "HOSTED_ENGINE/actoin",
             "HOSTED_ENGINE_CONFIGS/a", "HOSTED_ENGINE/host_id", "HOSTED_ENGINE/action"]
    stray = keynames.stray_keys(names)
    assert stray == ("HOSTED_ENGINE/actoin", "HOSTED_ENGINE/host_id",
                     "HOSTED_ENGINE_CONFIGS/a", "HOSTED_ENGINE_CONFIGS/b")
    assert keynames.by_prefix(stray) == [
        ("HOSTED_ENGINE/", ["HOSTED_ENGINE/actoin"]),
        ("HOSTED_ENGINE/", ["HOSTED_ENGINE/host_id"]),
        ("HOSTED_ENGINE_CONFIGS/", ["HOSTED_ENGINE_CONFIGS/a", "HOSTED_ENGINE_CONFIGS/b"])]


DUMP = re.compile(envkeys.SECRET_LOOKALIKE_DUMP_PATTERN, re.IGNORECASE)


@pytest.mark.parametrize("key", [
    "HOSTED_ENGINE_CONFIG/passwrod", "HOSTED_ENGINE_CONFIG/pasword", "HOSTED_ENGINE_CONFIG/usr",
    "HOSTED_ENGINE_CONFIG/Password", "HOSTED_ENGINE_CONFIGS/password", "HOSTED_ENGINE_CONFIGS/user",
    "hosted_engine_config/User", "HOSTED-ENGINE/password", "HOSTED_ENGINE_CONF/uesr",
])
def test_the_dump_of_a_secret_lookalike_is_filtered(key):
    line = "ENV {}=str:'Ch4p-S3cret.value'".format(key)
    match = DUMP.search(line)
    assert match and match.group("filter") == "Ch4p-S3cret.value"


@pytest.mark.parametrize("key", [
    "HOSTED_ENGINE_CONFIG/fqdn", "HOSTED_ENGINE_CONFIG/iscsi_paths_blacklist",
    "OVIRT_HE_DEPLOY/confOwner", "CORE/logFilterKeys", "HOSTED_ENGINE/action",
])
def test_the_dump_of_other_keys_is_left_alone(key):
    assert DUMP.search("ENV {}=str:'value'".format(key)) is None


def test_secret_lookalikes_names_text_values_under_misspelt_secret_keys():
    env = {"HOSTED_ENGINE_CONFIG/passwrod": "x", "HOSTED_ENGINE_CONFIG/password": "x",
           "HOSTED_ENGINE_CONFIGS/user": "x", "HOSTED_ENGINE_CONFIGS/fqdn": "x",
           "HOSTED_ENGINE_CONFIG/usre": 5, "HOSTED_ENGINE_CONFIG/fqdn": "x", "CORE/x": "x"}
    assert envkeys.maybe_secret_lookalike(env)
    assert envkeys.maybe_stray(env)
    assert not envkeys.maybe_secret_lookalike({"HOSTED_ENGINE_CONFIGS/user": "x"})
    assert keynames.secret_lookalikes(env) == ("HOSTED_ENGINE_CONFIG/passwrod",
                                               "HOSTED_ENGINE_CONFIGS/user")


def test_a_run_without_lookalikes_never_imports_keynames_for_them():
    env = {"HOSTED_ENGINE/action": "deploy", "HOSTED_ENGINE_CONFIG/fqdn": "x",
           "HOSTED_ENGINE_CONFIG/password": "x", "HOSTED_ENGINE_CONFIG/user": "x",
           "OVIRT_ENGINE/correlationId": "x", "CORE/logDir": "/tmp"}
    assert not envkeys.maybe_secret_lookalike(env)
    assert not envkeys.maybe_stray(env)
