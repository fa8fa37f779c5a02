"""Fixtures for the engine commands: a fake engine over HTTP, one over HTTPS, and a CLI runner."""

import os
import sys
from dataclasses import dataclass
from typing import Callable, Iterator, List

import pytest

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (TESTS, os.path.join(os.path.dirname(TESTS), "src")):
    if path not in sys.path:
        sys.path.insert(0, path)

from fake_engine import FakeEngine  # noqa: E402
from fake_engine.pki import Pki, make_pki  # noqa: E402

from ovirt_he_deploy import cli  # noqa: E402

PASSWORD = "S3cret-engine-pw"
FAST = ["--poll-interval", "0.02"]


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture
def engine() -> Iterator[FakeEngine]:
    fake = FakeEngine(password=PASSWORD, install_seconds=0.1).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def tls_engine(pki: Pki) -> Iterator[FakeEngine]:
    fake = FakeEngine(password=PASSWORD, tls=pki, install_seconds=0.1).start()
    try:
        yield fake
    finally:
        fake.stop()


Runner = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
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
