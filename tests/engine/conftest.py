"""Fixtures for the engine commands: a fake engine over HTTP, one over HTTPS, and a CLI runner.

The engine commands need ovirt-engine-sdk-python (ovirtsdk4); without it every test module
here skips itself with SDK_MISSING as the reason (a skip raised in a conftest would stop the
whole run instead). This file imports nothing that needs the SDK.
"""

import os
import sys
from typing import Callable, Iterator, List, NamedTuple

import pytest

SDK_MISSING = ("ovirt-engine-sdk-python (module ovirtsdk4) is not installed for this Python; "
               "the engine commands and their tests need it (its pycurl does not build "
               "everywhere, e.g. not on Python 3.6 here)")

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (TESTS, os.path.join(os.path.dirname(TESTS), "src")):
    if path not in sys.path:
        sys.path.insert(0, path)

from fake_engine import FakeEngine  # noqa: E402
from fake_engine.pki import Pki, make_pki  # noqa: E402

from ovirt_he_deploy import cli  # noqa: E402

PASSWORD = "S3cret-engine-pw"
FAST = ["--poll-interval", "0.01"]


class Result(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture(scope="session")
def pki(tmp_path_factory: "pytest.TempPathFactory") -> Pki:
    return make_pki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture
def engine() -> Iterator[FakeEngine]:
    fake = FakeEngine(password=PASSWORD).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def tls_engine(pki: Pki) -> Iterator[FakeEngine]:
    fake = FakeEngine(password=PASSWORD, tls=pki).start()
    try:
        yield fake
    finally:
        fake.stop()


Runner = Callable[..., Result]


@pytest.fixture
def run(capsys: "pytest.CaptureFixture[str]", monkeypatch: "pytest.MonkeyPatch") -> Runner:
    """run(engine, 'status', '--json') -> Result; the password comes from the environment."""
    def runner(fake: FakeEngine, *args: str, password: str = PASSWORD,
               url: str = "") -> Result:
        monkeypatch.setenv("OVIRT_ENGINE_PASSWORD", password)
        argv: List[str] = ["engine", args[0], "--engine-url", url or fake.url] + list(args[1:])
        capsys.readouterr()
        code = cli.main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return runner
