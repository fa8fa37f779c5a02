"""A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI."""

import os
import subprocess
from typing import NamedTuple


class Pki(NamedTuple):
    ca_file: str
    cert_file: str
    key_file: str


def _openssl(*args: str) -> None:
    subprocess.run(("openssl",) + args, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=60)


def make_pki(directory: str) -> Pki:
    """Write ca.pem, server.pem and server.key below directory (keys mode 0600)."""
    os.makedirs(directory, exist_ok=True)

    def path(name: str) -> str:
        return os.path.join(directory, name)

    # EC P-256 keys: made in milliseconds, unlike RSA (tests start engines often).
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2",
             "-subj", "/CN=fake-engine test CA", "-keyout", path("ca.key"), "-out", path("ca.pem"),
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-subj", "/CN=localhost",
             "-keyout", path("server.key"), "-out", path("server.csr"))
    with open(path("server.ext"), "w", encoding="ascii") as stream:
        stream.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                     "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    _openssl("x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"),
             "-CAkey", path("ca.key"), "-CAcreateserial", "-days", "2",
             "-extfile", path("server.ext"), "-out", path("server.pem"))
    for key in ("ca.key", "server.key"):
        os.chmod(path(key), 0o600)
    return Pki(path("ca.pem"), path("server.pem"), path("server.key"))
