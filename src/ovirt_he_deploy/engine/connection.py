"""Engine connection settings, the lazy SDK import, and the one place connections open and close."""

import contextlib
import os
import re
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
# libcurl error codes of TLS failures (curl.h): SSL_CONNECT_ERROR 35, PEER_FAILED_VERIFICATION
# 51 (60 since curl 7.62), SSL_ENGINE_* 53/54/66, SSL_CERTPROBLEM 58, SSL_CIPHER 59,
# SSL_CACERT 60, USE_SSL_FAILED 64, SSL_CACERT_BADFILE 77, SSL_SHUTDOWN_FAILED 80,
# SSL_CRL_BADFILE 82, SSL_ISSUER_ERROR 83, SSL_PINNEDPUBKEYNOTMATCH 90,
# SSL_INVALIDCERTSTATUS 91, SSL_CLIENTCERT 98. The SDK wraps a pycurl error as
# "Error while sending HTTP request: (60, '...')" (ovirtsdk4/__init__.py __parse_error).
CURL_TLS_ERRORS = frozenset((35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98))
_CURL_CODE = re.compile(r"\((\d+), ")


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


class EngineSettings:
    """Where and how to log in; the password stays out of repr() and every message."""

    __slots__ = ("url", "username", "password", "ca_file", "insecure")

    def __init__(self, url: str, username: str, password: str, ca_file: Optional[str] = None,
                 insecure: bool = False):
        self.url = url
        self.username = username
        self.password = password
        self.ca_file = ca_file
        self.insecure = insecure

    def __repr__(self) -> str:
        return "EngineSettings(url={!r}, username={!r}, ca_file={!r}, insecure={!r})".format(
            self.url, self.username, self.ca_file, self.insecure)

    @classmethod
    def build(cls, url: str, username: str, password_file: Optional[str],
              ca_file: Optional[str], insecure: bool,
              environ: Mapping[str, str]) -> "EngineSettings":
        if password_file is not None:
            password = read_secret_file(password_file, "password")
        elif environ.get(PASSWORD_ENV):
            password = environ[PASSWORD_ENV]
        else:
            raise UsageError("no engine password: give --password-file FILE or set {} to the "
                             "password itself (it is never read from the command line)".format(
                                 PASSWORD_ENV))
        if insecure and ca_file is not None:
            raise UsageError("--insecure and --ca-file contradict each other; give one")
        if ca_file is not None and not os.path.isfile(ca_file):
            raise UsageError("--ca-file {} is not a file; {}".format(ca_file, CA_HINT))
        return cls(api_url(url), username, password, ca_file, insecure)


def curl_error_code(error: BaseException) -> Optional[int]:
    """The libcurl error code behind an SDK error, when there is one."""
    for cause in (error.__cause__, error.__context__):
        args = getattr(cause, "args", ())
        if type(cause).__name__ == "error" and args and isinstance(args[0], int):
            return int(args[0])  # pycurl.error, chained by the SDK
    match = _CURL_CODE.search(str(error))
    return int(match.group(1)) if match else None


def is_tls_failure(error: BaseException) -> bool:
    """True for a TLS handshake or certificate failure, never for an engine message that
    merely mentions a certificate (those come with an HTTP code, not a libcurl one)."""
    if getattr(error, "code", None) is not None or getattr(error, "fault", None) is not None:
        return False
    return curl_error_code(error) in CURL_TLS_ERRORS


def explain(error: BaseException, settings: EngineSettings) -> str:
    """A user-facing sentence for an SDK exception (the SDK never puts the password in them)."""
    sdk = import_sdk()
    text = str(error)
    if isinstance(error, sdk.AuthError):
        return ("the engine at {} refused the login of {}: {}. Check --username and the "
                "password (--password-file or {})".format(
                    settings.url, settings.username, text, PASSWORD_ENV))
    if is_tls_failure(error):
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
