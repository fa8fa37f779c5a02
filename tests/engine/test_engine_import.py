"""The engine package imports and builds its command line without the SDK (on every Python
the host side supports, 3.6 included); a command then says what to install."""

import importlib
import pkgutil
import sys

import pytest

import ovirt_he_deploy.engine
from ovirt_he_deploy import cli

from .conftest import TESTS


@pytest.fixture
def no_sdk(monkeypatch):
    monkeypatch.setitem(sys.modules, "ovirtsdk4", None)  # "import ovirtsdk4" now fails


def test_every_engine_module_and_the_fake_engine_import_without_the_sdk(no_sdk):
    names = [info.name for info in pkgutil.iter_modules(ovirt_he_deploy.engine.__path__)]
    assert {"cli", "connection", "confdisk", "deploy", "events", "hosts", "rollout",
            "topology", "transfer", "waiting"} <= set(names)
    for name in names:
        importlib.import_module("ovirt_he_deploy.engine." + name)
    assert TESTS in sys.path
    for name in ("fake_engine", "fake_engine.server", "fake_engine.__main__"):
        importlib.import_module(name)


def test_a_command_without_the_sdk_says_what_to_install(no_sdk, capsys, monkeypatch):
    monkeypatch.setenv("OVIRT_ENGINE_PASSWORD", "pw")
    code = cli.main(["engine", "status", "--engine-url", "https://engine.example.com"])
    assert code == 1
    err = capsys.readouterr().err
    assert "install ovirt-engine-sdk-python" in err
    assert "ovirt-he-deploy-engine" in err


def test_the_engine_commands_are_on_the_command_line(no_sdk):
    args = cli.build_parser().parse_args(["engine", "deploy", "h1", "h2", "--parallel", "3",
                                          "--force", "--activate"])
    assert (args.hosts, args.parallel, args.force, args.activate) == (["h1", "h2"], 3, True,
                                                                       True)
