"""Engine connection settings, the lazy SDK import, and the one place connections open and close."""

import contextlib
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional
from urllib.parse import urlsplit, urlunsplit

PASSWORD_ENV = "OVIRT_ENGINE_PASSWORD"
API_PATH = "/ovirt-engine/api"
DEFAULT_USERNAME = "admin@internal"
REQUEST_TIMEOUT = 120
SDK_MISSING = ("the engine commands need the oVirt Python SDK (module ovirtsdk4), which is not "
               "installed: install ovirt-engine-sdk-python (pip install ovirt-engine-sdk-python) "
               "or the ovirt-he-deploy-engine package.")
CA_HINT = ("pass --ca-file with the engine CA (download it from "
           "https://ENGINE/ovirt-engine/services/pki-resource?resource=ca-certificate"
           "&format=X509-PEM-CA), or --insecure to skip verification")


class EngineError(RuntimeError):
    """A failure reported to the user as one message, without a traceback (exit 1)."""


class UsageError(EngineError):
    """The command line is incomplete or contradictory (exit 2)."""


def import_sdk() -> Any:
    """The ovirtsdk4 module, imported only when a command talks to the engine."""
    try:
        import ovirtsdk4
    except ImportError:
        raise EngineError(SDK_MISSING) from None
    return ovirtsdk4


def api_url(url: str) -> str:
    """The API URL for https://engine or https://engine/ovirt-engine/api."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError("--engine-url {} is not an http(s) URL; give e.g. "
                         "https://engine.example.com/ovirt-engine/api".format(ascii(url)))
    path = parts.path.rstrip("/")
    if path in ("", "/ovirt-engine"):
        path = API_PATH
    if path != API_PATH:
        raise UsageError("--engine-url {} has path {}; the API lives at {}".format(
            ascii(url), ascii(path), API_PATH))
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def read_secret_file(path: str, what: str) -> str:
    """The first line of a secret file; the error names the file, never its content."""
    try:
        with open(path, encoding="utf-8") as stream:
            secret = stream.readline().rstrip("\r\n")
    except OSError as error:
        raise EngineError("cannot read the {} file {}: {}".format(
            what, path, error.strerror or error)) from None
    except UnicodeDecodeError:
        raise EngineError("the {} file {} is not UTF-8 text".format(what, path)) from None
    if not secret:
        raise EngineError("the {} file {} is empty (the secret is its first line)".format(
            what, path))
    return secret


@dataclass(frozen=True)
class EngineSettings:
    """Where and how to log in; the password stays out of repr() and every message."""

    url: str
    username: str
    password: str = field(repr=False)
    ca_file: Optional[str] = None
    insecure: bool = False

    @classmethod
    def build(cls, url: str, username: str, password_file: Optional[str],
              ca_file: Optional[str], insecure: bool,
              environ: Mapping[str, str]) -> "EngineSettings":
        if password_file is not None:
            password = read_secret_file(password_file, "password")
        elif environ.get(PASSWORD_ENV):
            password = environ[PASSWORD_ENV]
        else:
            raise UsageError("no engine password: give --password-file FILE or set {} (it is "
                             "never read from the command line)".format(PASSWORD_ENV))
        if insecure and ca_file is not None:
            raise UsageError("--insecure and --ca-file contradict each other; give one")
        return cls(api_url(url), username, password, ca_file, insecure)


def explain(error: BaseException, settings: EngineSettings) -> str:
    """A user-facing sentence for an SDK exception (the SDK never puts the password in them)."""
    sdk = import_sdk()
    text = str(error)
    if isinstance(error, sdk.AuthError):
        return ("the engine at {} refused the login of {}: {}. Check --username and the "
                "password (--password-file or {})".format(
                    settings.url, settings.username, text, PASSWORD_ENV))
    lowered = text.lower()
    if "ssl" in lowered or "certificate" in lowered:
        return "TLS verification of {} failed: {}; {}".format(settings.url, text, CA_HINT)
    if isinstance(error, sdk.NotFoundError):
        return "the engine at {} answered 'not found': {}".format(settings.url, text)
    if isinstance(error, (sdk.ConnectionError, sdk.TimeoutError)):
        return "cannot reach the engine at {}: {}".format(settings.url, text)
    return "the engine at {} reported an error: {}".format(settings.url, text)


@contextlib.contextmanager
def connected(settings: EngineSettings) -> Iterator[Any]:
    """An SDK connection that is closed (and its SSO token revoked) whatever happens."""
    sdk = import_sdk()
    try:
        connection = sdk.Connection(
            url=settings.url, username=settings.username, password=settings.password,
            ca_file=settings.ca_file, insecure=settings.insecure, timeout=REQUEST_TIMEOUT)
    except sdk.Error as error:
        raise EngineError(explain(error, settings)) from None
    try:
        yield connection
    except sdk.Error as error:
        raise EngineError(explain(error, settings)) from None
    finally:
        with contextlib.suppress(Exception):
            # A failed logout must not hide the real outcome; the token expires anyway.
            connection.close()
