"""Run the fake engine from a shell: `PYTHONPATH=tests python -m fake_engine --hosts 3`.

Hosts are host01.., the first --he-hosts of them ready Hosted Engine hosts (host01 runs the
engine VM), all in cluster Default. Each host moves one status step per GET of it. Prints
url=... (and ca_file=... with --tls DIR), then serves until Ctrl-C or SIGTERM; with
--background PREFIX it starts itself in the background instead, writes PREFIX.url,
PREFIX.pid and PREFIX.log, prints the same lines and returns. The password is the first
line of --password-file, else $OVIRT_ENGINE_PASSWORD, else "engine-secret".
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any, List, Optional

from .pki import make_pki
from .server import FakeEngine

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_TIMEOUT = 30.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fake_engine", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=3, help="hosts the engine knows (host01..)")
    parser.add_argument("--he-hosts", type=int, default=1,
                        help="how many of them already run Hosted Engine")
    parser.add_argument("--install-polls", type=int, default=2,
                        help="polls a host stays installing")
    parser.add_argument("--install-seconds", type=float,
                        help="seconds a host stays installing (instead of --install-polls)")
    parser.add_argument("--fail", metavar="NAME", action="append", default=[],
                        help="host whose install fails (repeatable)")
    parser.add_argument("--password-file", metavar="FILE",
                        help="file whose first line is the password to accept")
    parser.add_argument("--tls", metavar="DIR", help="serve HTTPS with a new CA written to DIR")
    parser.add_argument("--background", metavar="PREFIX",
                        help="run in the background; write PREFIX.url, PREFIX.pid, PREFIX.log")
    parser.add_argument("--url-file", metavar="FILE", help=argparse.SUPPRESS)
    return parser


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        with open(args.password_file, encoding="utf-8") as stream:
            return stream.readline().rstrip("\r\n")
    return os.environ.get("OVIRT_ENGINE_PASSWORD", "engine-secret")


def _child_argv(args: argparse.Namespace) -> List[str]:
    argv = [sys.executable, "-m", "fake_engine", "--hosts", str(args.hosts),
            "--he-hosts", str(args.he_hosts), "--install-polls", str(args.install_polls),
            "--url-file", args.background + ".url"]
    if args.install_seconds is not None:
        argv += ["--install-seconds", str(args.install_seconds)]
    for name in args.fail:
        argv += ["--fail", name]
    if args.password_file:
        argv += ["--password-file", os.path.abspath(args.password_file)]
    if args.tls:
        argv += ["--tls", args.tls]
    return argv


def background(args: argparse.Namespace) -> int:
    """Start the engine as a detached child; return once it serves."""
    url_file = args.background + ".url"
    if os.path.exists(url_file):
        os.unlink(url_file)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE_PARENT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    with open(args.background + ".log", "w", encoding="utf-8") as log:
        child = subprocess.Popen(_child_argv(args), stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while not os.path.exists(url_file):
        if child.poll() is not None or time.monotonic() > deadline:
            with open(args.background + ".log", encoding="utf-8") as log:
                sys.stderr.write(log.read())
            print("the fake engine did not start (see {}.log)".format(args.background),
                  file=sys.stderr)
            if child.poll() is None:
                child.terminate()
            return 1
        time.sleep(0.05)
    with open(args.background + ".pid", "w", encoding="ascii") as stream:
        stream.write("{}\n".format(child.pid))
    with open(url_file, encoding="ascii") as stream:
        print("url={}".format(stream.read().strip()))
    if args.tls:
        print("ca_file={}".format(os.path.join(args.tls, "ca.pem")))
    print("pid={0} (in {1}.pid; stop it with: kill $(cat {1}.pid))".format(
        child.pid, args.background))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.background:
        return background(args)
    engine = FakeEngine(password=_password(args), tls=make_pki(args.tls) if args.tls else None,
                        install_seconds=args.install_seconds)
    for number in range(1, args.hosts + 1):
        name = "host{:02d}".format(number)
        engine.add_host(name, he=number <= args.he_hosts, fail_install=name in args.fail,
                        install_polls=args.install_polls)
    engine.start()
    if args.url_file:
        staged = args.url_file + ".tmp"
        with open(staged, "w", encoding="ascii") as stream:
            stream.write(engine.url + "\n")
        os.replace(staged, args.url_file)
    print("url={}".format(engine.url), flush=True)
    if engine.tls is not None:
        print("ca_file={}".format(engine.tls.ca_file), flush=True)
    done = threading.Event()

    def finish(*_: Any) -> None:
        done.set()
    signal.signal(signal.SIGTERM, finish)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
    print("served {} requests".format(len(engine.requests)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
