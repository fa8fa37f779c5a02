"""Run the fake engine from a shell: `cd tests && python -m fake_engine --hosts 3 --he-hosts 1`.

Prints `url=...` (and `ca_file=...` with --tls DIR), then serves until Ctrl-C or SIGTERM.
The password is OVIRT_ENGINE_PASSWORD if set, else "engine-secret".
"""

import argparse
import os
import signal
import threading
from typing import Any, List, Optional

from .pki import make_pki
from .server import FakeEngine


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fake_engine", description=__doc__)
    parser.add_argument("--hosts", type=int, default=3, help="hosts the engine knows (host01..)")
    parser.add_argument("--he-hosts", type=int, default=1,
                        help="how many of them already run Hosted Engine")
    parser.add_argument("--install-seconds", type=float, default=2.0,
                        help="simulated install time of a host")
    parser.add_argument("--fail", metavar="NAME", action="append", default=[],
                        help="host whose install fails (repeatable)")
    parser.add_argument("--tls", metavar="DIR", help="serve HTTPS with a new CA written to DIR")
    args = parser.parse_args(argv)
    engine = FakeEngine(password=os.environ.get("OVIRT_ENGINE_PASSWORD", "engine-secret"),
                        tls=make_pki(args.tls) if args.tls else None,
                        install_seconds=args.install_seconds)
    for number in range(1, args.hosts + 1):
        name = "host{:02d}".format(number)
        engine.add_host(name, he=number <= args.he_hosts, fail_install=name in args.fail)
    engine.start()
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
