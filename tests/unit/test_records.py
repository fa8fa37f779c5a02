"""records.Record and every record of the library: fields in order, immutable, comparable."""

import importlib
import inspect
import pkgutil
import sys

import pytest

import ovirt_he_deploy
from ovirt_he_deploy import plan
from ovirt_he_deploy.records import Record
from ovirt_he_deploy.unit import Problem

# Modules an otopi run of the group may import (deploy, remove); the CLI and engine side
# (hostcmd, rules, answerfile, cli, preview, otopiconf, installed, engine) never run there.
HOST_RUN_MODULES = ("confkeys", "conflicts", "deployed", "envkeys", "haconf", "hostfacts", "hostfs",
                    "keychecks", "keynames", "keyvalue", "metadata", "plan", "records", "render",
                    "safety", "servicewait", "unit", "validation")


def _library_modules():
    if sys.version_info[0] == 2:  # the CLI's modules are Python 3 only
        return HOST_RUN_MODULES
    # (finder, name, is a package) on both Pythons
    return [name for _, name, _ in pkgutil.iter_modules(ovirt_he_deploy.__path__)
            if name not in ("engine", "__main__")]


def _library_records():
    for name in _library_modules():
        module = importlib.import_module("ovirt_he_deploy." + name)
        for _, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, Record) and value is not Record
                    and value.__module__ == module.__name__):
                yield value


RECORDS = sorted(set(_library_records()), key=lambda cls: (cls.__module__, cls.__name__))


def _parameters(function):
    """A function's parameter names, in order (Python 2.7 has no inspect.signature)."""
    if hasattr(inspect, "signature"):
        return list(inspect.signature(function).parameters)
    return inspect.getargspec(function).args


def test_the_library_has_records():
    names = {cls.__name__ for cls in RECORDS}
    assert {"Problem", "DeployUnit", "ValidUnit", "HostSettings", "HostFacts", "FileWrite",
            "FileRemoval", "MaintenanceChange", "Plan", "BashReading", "ServiceState",
            "WaitResult"} <= names


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_init_parameters_are_the_fields_in_their_order(cls):
    # _init(*values) pairs values with __slots__ by position: a parameter list in another
    # order would put every value into the wrong field.
    parameters = _parameters(cls.__init__)[1:]
    assert parameters == list(cls.__slots__)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_every_field_gets_its_own_value(cls):
    values = {name: "value of " + name for name in cls.__slots__}
    record = cls(**values)
    assert {name: getattr(record, name) for name in cls.__slots__} == values


def test_equality_hash_and_replace():
    one = Problem("key", "message", "fix")
    assert one == Problem("key", "message", "fix")
    assert hash(one) == hash(Problem("key", "message", "fix"))
    assert one != Problem("key", "message", "other fix")
    assert one != ("key", "message", "fix")
    changed = one._replace(fix="other fix")
    assert changed == Problem("key", "message", "other fix")
    assert one.fix == "fix"


def test_records_of_different_classes_with_equal_values_differ():
    assert plan.HostFacts() != plan.HostFacts()._replace(conf_exists=True)
    assert plan.HostFacts(False, None, False, False) == plan.HostFacts()


def test_records_are_immutable():
    facts = plan.HostFacts()
    with pytest.raises(AttributeError, match="immutable"):
        facts.conf_exists = True  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del facts.conf_exists
    with pytest.raises(AttributeError):
        facts.other = 1  # type: ignore[attr-defined]
    assert facts.conf_exists is False


def test_replace_refuses_an_unknown_field():
    with pytest.raises(TypeError, match="HostFacts has no field conf_exist"):
        plan.HostFacts()._replace(conf_exist=True)


def test_repr_names_every_field():
    assert repr(plan.HostFacts()) == ("HostFacts(conf_exists=False, conf_host_id=None, "
                                      "ha_state_dir_exists=False, manual_maintenance=False, "
                                      "conf_differences=None, local_maintenance=False)")


def test_file_write_repr_never_shows_the_content():
    write = plan.FileWrite("/etc/x.conf", b"password=secret\n", "vdsm", "kvm", 0o440)
    assert "secret" not in repr(write)
    assert "16 bytes" in repr(write)


def test_the_plan_is_short_text_in_otopi_environment_dumps():
    # otopi turns each environment value into text twice around every event.
    the_plan = plan.Plan(action="deploy", writes=(
        plan.FileWrite("/etc/x.conf", b"password=secret\n", "vdsm", "kvm", 0o440),))
    assert str(the_plan) == "Plan(deploy, logged as 'Hosted Engine plan')"
    assert "FileWrite(path='/etc/x.conf'" in repr(the_plan)


@pytest.mark.parametrize("name", HOST_RUN_MODULES)
def test_host_run_modules_define_no_typing_named_tuple(name):
    # typing.NamedTuple costs 0.8 ms per class at import on EL8's Python 3.6 (issue 15).
    import ast

    module = importlib.import_module("ovirt_he_deploy." + name)
    with open(module.__file__.replace(".pyc", ".py")) as stream:
        tree = ast.parse(stream.read())
    bases = [ast.dump(base) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
             for base in node.bases]
    assert not [base for base in bases if "NamedTuple" in base], name
