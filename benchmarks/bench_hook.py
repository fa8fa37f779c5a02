"""What the engine hook adds to a 4.4+ host-deploy play when the engine's conf is already right.

Runs the play of tests/ansible (the engine's Hosted Engine role stood in for, then the
post-task hook) with ansible-core on this machine, interleaved: with the hook, and with the
hook's file absent (the engine's play alone). Prints the medians, the difference, and the
services the group restarted or started (target: none, and under 2 s). Uses the real otopi
when OTOPI_TREE names its tree, else the test double.

    OTOPI_TREE=<an otopi source tree> python3 benchmarks/bench_hook.py [ROUNDS]
"""

import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(os.path.dirname(HERE), "tests")
for path in (os.path.join(TESTS, "ansible"), os.path.join(TESTS, "otopi_double"), TESTS,
             os.path.join(os.path.dirname(HERE), "src")):
    sys.path.insert(0, path)

import engine_hook  # noqa: E402

TARGET_SECONDS = 2.0


def timed(engine, **kwargs):
    start = time.monotonic()
    result = engine.run("deploy", host_id=3, **kwargs)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        raise SystemExit("the play failed:\n" + result.output[-3000:])
    return seconds, result


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    missing = engine_hook.ansible_missing()
    if missing:
        raise SystemExit(missing)
    tree = os.environ.get(engine_hook.OTOPI_TREE_ENV) or None
    with tempfile.TemporaryDirectory(prefix="bench-hook.") as root:
        engine = engine_hook.EngineHook(root, tree)
        engine.write_engine_conf(engine_hook.running_host_conf())
        timed(engine)  # the first deploy: the engine's role and the hook, warm-up
        with_hook, without = [], []
        checked = 0
        for index in range(rounds):
            order = [True, False] if index % 2 == 0 else [False, True]
            for hook in order:
                if hook:
                    seconds, result = timed(engine)
                    with_hook.append(seconds)
                    checked += "Hosted Engine: checked:" in result.output
                else:
                    seconds, _ = timed(engine, more_vars={
                        "host_deploy_post_tasks": os.path.join(root, "no-post-tasks.yml")})
                    without.append(seconds)
        starts = [call for call in engine.group_calls()
                  if call.startswith("restart ") or call.endswith(" True")
                  and call.startswith("state ")]
    added = statistics.median(with_hook) - statistics.median(without)
    print("otopi: {}".format(tree or "test double"))
    print("rounds: {} (interleaved)".format(rounds))
    print("play with the hook:    median {:.2f} s (min {:.2f}, max {:.2f})".format(
        statistics.median(with_hook), min(with_hook), max(with_hook)))
    print("play without the hook: median {:.2f} s (min {:.2f}, max {:.2f})".format(
        statistics.median(without), min(without), max(without)))
    print("the hook adds: {:.2f} s (target < {:.1f} s: {})".format(
        added, TARGET_SECONDS, "met" if added < TARGET_SECONDS else "NOT met"))
    print("runs that said 'checked:': {} of {}".format(checked, rounds))
    print("services the group restarted or started, all runs: {}".format(
        ", ".join(starts) or "none"))


if __name__ == "__main__":
    main()
