"""The env key declarations and the predicates the plugin conditions call."""

import pytest

from ovirt_he_deploy import envkeys


def test_every_own_key_is_declared_once_under_our_namespace():
    names = [key.name for key in envkeys.ALL_KEYS]
    assert len(names) == len(set(names))
    assert all(key.name.startswith("OVIRT_HE_DEPLOY/") for key in envkeys.OWN_KEYS)
    assert {"OVIRT_HE_DEPLOY/confFile", "OVIRT_HE_DEPLOY/confOwner", "OVIRT_HE_DEPLOY/confGroup",
            "OVIRT_HE_DEPLOY/haConfFile"} <= set(names)


def test_defaults_leave_out_internal_keys():
    defaults = envkeys.defaults()
    assert defaults["HOSTED_ENGINE/action"] == "none"
    assert not set(defaults) & {key.name for key in envkeys.INTERNAL_KEYS}


@pytest.mark.parametrize("env, deploy, remove, acts", [
    pytest.param({}, False, False, False, id="absent"),
    pytest.param({"HOSTED_ENGINE/action": "none"}, False, False, False, id="none"),
    pytest.param({"HOSTED_ENGINE/action": "deploy"}, True, False, True, id="deploy"),
    pytest.param({"HOSTED_ENGINE/action": "remove"}, False, True, True, id="remove"),
    pytest.param({"HOSTED_ENGINE/action": "Deploy"}, False, False, True, id="invalid-acts"),
])
def test_action_predicates(env, deploy, remove, acts):
    assert envkeys.is_deploy(env) is deploy
    assert envkeys.is_remove(env) is remove
    assert envkeys.acts(env) is acts


@pytest.mark.parametrize("touched, failed, expected", [
    pytest.param(True, True, True, id="failed-after-stopping-services"),
    pytest.param(False, True, False, id="failed-before-any-change"),
    pytest.param(True, False, False, id="succeeded"),
])
def test_deploy_failed_after_changes(touched, failed, expected):
    env = {"HOSTED_ENGINE/action": "deploy", envkeys.HOST_TOUCHED.name: touched}
    assert envkeys.deploy_failed_after_changes(env, failed) is expected
    remove = dict(env, **{"HOSTED_ENGINE/action": "remove"})
    assert envkeys.deploy_failed_after_changes(remove, failed) is False


def test_secret_values_become_text_and_other_types_are_refused():
    env = {"HOSTED_ENGINE_CONFIG/password": 1234, "HOSTED_ENGINE_CONFIG/user": ["x"]}
    refused = envkeys.secrets_as_text(env)
    assert env["HOSTED_ENGINE_CONFIG/password"] == "1234"
    assert env["HOSTED_ENGINE_CONFIG/user"] == ""
    assert refused == {"HOSTED_ENGINE_CONFIG/user": "list"}
