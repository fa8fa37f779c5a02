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


def _filtered_spans(regexps, content):
    """Where otopi's filter would hide text: each search starts again where the last filtered
    group began, so a pattern that matched there again would loop (bounded here)."""
    spans = []
    for regexp in regexps:
        start = 0
        for _ in range(len(content) + 2):
            match = regexp.search(content, start)
            if match is None:
                break
            spans.append(match.span("filter"))
            start = match.start("filter")
        else:
            raise AssertionError("{} never stops matching".format(regexp.pattern))
    return spans


PASSWORD = u"Hx9pw\u00e9"


@pytest.mark.parametrize("value", [
    pytest.param(PASSWORD.encode("utf-8") if str is bytes else PASSWORD, id="native-str"),
    pytest.param(PASSWORD, id="text"),
])
def test_value_patterns_hide_a_non_ascii_value_in_records_of_either_type(value):
    import re

    env = {"HOSTED_ENGINE_CONFIG/password": value, "HOSTED_ENGINE_CONFIG/user": ""}
    regexps = [re.compile(pattern)
               for pattern in envkeys.value_patterns(env, envkeys.SECRET_ENV_KEYS)]
    records = [u"stamp DEBUG value " + PASSWORD + u" and " + PASSWORD + PASSWORD]
    if str is bytes:  # Python 2: otopi 1.8's records are str or unicode
        records.append(records[0].encode("utf-8"))
    for record in records:
        hidden = sorted(set(_filtered_spans(regexps, record)))
        assert len(hidden) == 3
        assert set(record[begin:end] for begin, end in hidden) == set(
            [PASSWORD if isinstance(record, type(u"")) else PASSWORD.encode("utf-8")])


def test_value_patterns_skip_empty_and_non_text_values():
    env = {"HOSTED_ENGINE_CONFIG/password": "", "HOSTED_ENGINE_CONFIG/user": None, "X": 5}
    assert envkeys.value_patterns(env, envkeys.SECRET_ENV_KEYS + ("X",)) == []


def test_secrets_need_care_without_secrets_is_false():
    assert envkeys.secrets_need_care({}) is False
    assert envkeys.secrets_need_care({"HOSTED_ENGINE_CONFIG/password": 5}) is True
    # A text secret: filtered by key on Python 3, by its value (the group's hand) on 2.
    assert envkeys.secrets_need_care({"HOSTED_ENGINE_CONFIG/password": "x"}) is (
        not envkeys.FILTER_BY_KEY)
