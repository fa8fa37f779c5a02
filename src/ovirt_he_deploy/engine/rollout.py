"""The order hosts are handled in, so the engine VM always keeps a host, and the workers."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, NamedTuple, Optional, TextIO, Tuple

from . import events, topology
from .connection import EngineError, EngineSettings, connected
from .deploy import Context, HostOptions, Job
from .hosts import HostFailed, HostState, Interrupted, list_states
from .waiting import Waiter

DEPLOY = "deploy"
UNDEPLOY = "undeploy"


class Outcome(NamedTuple):
    name: str
    ok: bool
    message: str
    events: Tuple[str, ...] = ()
    changed: bool = False
    notes: Tuple[str, ...] = ()


class Plan(NamedTuple):
    """free: hosts that may run side by side; chain: Hosted Engine hosts to take down one at
    a time, the one running the engine VM last."""

    free: List[str]
    chain: List[str]
    notes: List[str]


def _goes_down(state: HostState, action: str, force: bool) -> bool:
    """Whether the job will take this Hosted Engine host down (else it is left alone)."""
    if not state.he_configured:
        return False
    if action == DEPLOY:
        return force or not state.he_ready
    return True


def plan(names: List[str], states: List[HostState], layout: topology.Topology, action: str,
         force: bool, parallel: int) -> Plan:
    by_name = {state.name: state for state in states}
    chain = [name for name in names
             if name in by_name and _goes_down(by_name[name], action, force)]
    engine_vm_host = next((name for name in chain if by_name[name].id == layout.vm_host_id),
                          None)
    if engine_vm_host is not None:
        chain.remove(engine_vm_host)
        chain.append(engine_vm_host)
    free = [name for name in names if name not in chain]
    notes = []
    if chain and (len(chain) > 1 or parallel > 1 or engine_vm_host is not None):
        text = ("plan: {} {} Hosted Engine: taken down one at a time, each only while another "
                "Hosted Engine host is up and ready for the engine VM".format(
                    " ".join(chain), "has" if len(chain) == 1 else "have"))
        if engine_vm_host is not None:
            text += "; {} last, it runs the engine VM".format(engine_vm_host)
        if free and parallel > 1:
            text += "; --parallel {} applies to the other hosts ({}), started first".format(
                parallel, " ".join(free))
        elif free:
            text += "; the other hosts ({}) go first".format(" ".join(free))
        elif parallel > 1:
            text += "; --parallel {} does not apply to them".format(parallel)
        notes.append(text)
    return Plan(free, chain, notes)


class Printer:
    """Whole lines from several workers, never interleaved."""

    def __init__(self, out: TextIO, err: TextIO):
        self.out = out
        self.err = err
        self.lock = threading.Lock()

    def line(self, text: str, error: bool = False) -> None:
        with self.lock:
            stream = self.err if error else self.out
            stream.write(text + "\n")
            stream.flush()


class Runner:
    """Runs a job on hosts: the free ones up to parallel at a time, the chain in order,
    each worker on its own connection."""

    def __init__(self, settings: EngineSettings, job: Job, options: HostOptions,
                 printer: Printer):
        self.settings = settings
        self.job = job
        self.options = options
        self.printer = printer
        self.stop = threading.Event()
        self.since = 0
        self.host_count = 0
        self.layout: Optional[topology.Topology] = None

    def prepare(self, names: List[str], action: str, parallel: int) -> Plan:
        with connected(self.settings) as connection:
            self.since = events.last_index(connection)
            states = list_states(connection)
            self.layout = topology.load(connection)
        self.host_count = len(states)
        return plan(names, states, self.layout, action, self.options.force, parallel)

    def _one(self, connection: Any, name: str, guard: bool) -> Outcome:
        assert self.layout is not None
        waiter = Waiter(connection, name, self.options.wait, self.stop, self.printer.line)
        ctx = Context(connection, name, self.options, waiter, self.layout, guard,
                      self.host_count)
        try:
            done = self.job(ctx)
        except HostFailed as failure:
            problems: List[str] = []
            if failure.host_id is not None:
                problems = events.host_problems(connection, failure.host_id, name, self.since)
            return Outcome(name, False, failure.message, tuple(problems))
        return Outcome(name, True, done.message, changed=done.changed, notes=done.notes)

    def free(self, name: str) -> Outcome:
        if self.stop.is_set():
            return Outcome(name, False, "not started (interrupted)")
        try:
            with connected(self.settings) as connection:
                return self._one(connection, name, False)
        except Interrupted:
            return Outcome(name, False, "interrupted")
        except EngineError as error:
            return Outcome(name, False, str(error))

    def chain(self, names: List[str]) -> List[Outcome]:
        outcomes: List[Outcome] = []
        try:
            with connected(self.settings) as connection:
                for name in names:
                    failed = [outcome.name for outcome in outcomes if not outcome.ok]
                    if self.stop.is_set():
                        outcomes.append(Outcome(name, False, "not started (interrupted)"))
                    elif failed:
                        outcomes.append(Outcome(name, False, (
                            "not started: {} failed, so the remaining Hosted Engine hosts "
                            "were left alone to keep hosts for the engine VM; fix {} and "
                            "rerun").format(failed[0], failed[0])))
                    else:
                        outcomes.append(self._one(connection, name, True))
        except Interrupted:
            outcomes.append(Outcome(names[len(outcomes)], False, "interrupted"))
        except EngineError as error:
            outcomes.append(Outcome(names[len(outcomes)], False, str(error)))
        done = {outcome.name for outcome in outcomes}
        return outcomes + [Outcome(name, False, "not started") for name in names
                           if name not in done]

    def run(self, names: List[str], the_plan: Plan, parallel: int) -> List[Outcome]:
        """Free hosts first (they cannot leave the engine VM without a host), then the chain,
        all in one pool of parallel workers."""
        pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="he-host")
        futures: List[Any] = []
        try:
            frees = [pool.submit(self.free, name) for name in the_plan.free]
            futures.extend(frees)
            chained = pool.submit(self.chain, the_plan.chain) if the_plan.chain else None
            if chained is not None:
                futures.append(chained)
            results: Dict[str, Outcome] = {}
            for future in frees:
                outcome = future.result()
                results[outcome.name] = outcome
            for outcome in (chained.result() if chained is not None else []):
                results[outcome.name] = outcome
            return [results[name] for name in names]
        except KeyboardInterrupt:
            self.stop.set()
            for future in futures:
                future.cancel()
            raise
        finally:
            pool.shutdown(wait=True)
