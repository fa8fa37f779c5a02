"""The `ovirt-he-deploy engine` commands; the SDK is imported only when one of them runs."""

import argparse
import json
import os
import sys
from typing import Any, Callable

from .. import hostfs
from ..clicommon import EXIT_FAILED, EXIT_OK, EXIT_USAGE, host_id_arg
from ..unit import InvalidUnit
from . import confdisk, deploy, hosts, rollout
from .connection import (
    DEFAULT_USERNAME,
    PASSWORD_ENV,
    EngineError,
    EngineSettings,
    UsageError,
    connected,
    import_sdk,
    read_secret_file,
)
from .waiting import ENGINE_INSTALL_MINUTES, UNRESPONSIVE_GRACE

# The engine gives the host-deploy playbook 120 minutes (ANSIBLE_PLAYBOOK_EXEC_DEFAULT_TIMEOUT);
# 30 more for the move to maintenance, a reboot and the activation.
DEFAULT_TIMEOUT = (ENGINE_INSTALL_MINUTES + 30) * 60.0
INSECURE_WARNING = ("warning: --insecure: the engine's TLS certificate is not verified; anyone "
                    "on the network path can impersonate the engine and read the password.")

Command = Callable[[argparse.Namespace, EngineSettings], int]


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _settings(args: argparse.Namespace) -> EngineSettings:
    if not args.engine_url:
        raise UsageError("give --engine-url (or set OVIRT_ENGINE_URL)")
    return EngineSettings.build(args.engine_url, args.username, args.password_file,
                                args.ca_file, args.insecure, os.environ)


def _runner(command: Command) -> Callable[[argparse.Namespace], int]:
    """Check the SDK, build the settings, map failures to exit codes with one message."""
    def run(args: argparse.Namespace) -> int:
        try:
            import_sdk()
            settings = _settings(args)
            if settings.insecure:
                _say(INSECURE_WARNING)
            return command(args, settings)
        except UsageError as error:
            _say("ovirt-he-deploy engine {}: {}".format(args.engine_command, error))
            return EXIT_USAGE
        except EngineError as error:
            _say("ovirt-he-deploy engine {}: {}".format(args.engine_command, error))
            return EXIT_FAILED
    return run


def cmd_status(args: argparse.Namespace, settings: EngineSettings) -> int:
    with connected(settings) as connection:
        states = hosts.list_states(connection)
    if args.json:
        print(json.dumps([state.as_dict() for state in states], indent=2))
    else:
        sys.stdout.write(hosts.format_table(states))
    return EXIT_OK


def _host_options(args: argparse.Namespace) -> deploy.HostOptions:
    if len(set(args.hosts)) != len(args.hosts):
        raise UsageError("a host is named more than once: {}".format(" ".join(args.hosts)))
    address = getattr(args, "address", None)
    if address is not None and len(args.hosts) != 1:
        raise UsageError("--address applies to one HOST only")
    root_password = None
    if args.root_password_file is not None:
        root_password = read_secret_file(args.root_password_file, "root password")
    return deploy.HostOptions(
        timeout=args.timeout, poll_interval=args.poll_interval, reboot=args.reboot,
        activate=args.activate, force=args.force, cluster=getattr(args, "cluster", None),
        address=address, root_password=root_password,
        unresponsive_grace=args.unresponsive_grace)


def _run_hosts(args: argparse.Namespace, settings: EngineSettings, job: deploy.Job,
               action: str, verb: str) -> int:
    options = _host_options(args)
    printer = rollout.Printer(sys.stdout, sys.stderr)
    runner = rollout.Runner(settings, job, options, printer)
    plan = runner.prepare(args.hosts, action, args.parallel)
    for note in plan.notes:
        printer.line(note)
    outcomes = runner.run(args.hosts, plan, args.parallel)
    for outcome in outcomes:
        if outcome.ok:
            printer.line("{}: OK: {}".format(outcome.name, outcome.message))
            for note in outcome.notes:
                printer.line("  note: " + note)
            continue
        printer.line("{}: FAILED: {}".format(outcome.name, outcome.message), error=True)
        if outcome.events:
            printer.line("  engine WARNING/ERROR events for {} since the command started:"
                         .format(outcome.name), error=True)
            for event in outcome.events:
                printer.line("    " + event, error=True)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    unchanged = [outcome.name for outcome in outcomes if outcome.ok and not outcome.changed]
    printer.line("{} {} of {} host(s){}{}".format(
        verb, len(outcomes) - len(failed), len(outcomes),
        " ({} left alone: {})".format(len(unchanged), " ".join(unchanged)) if unchanged else "",
        "; failed: {}".format(" ".join(failed)) if failed else ""))
    return EXIT_FAILED if failed else EXIT_OK


def cmd_deploy(args: argparse.Namespace, settings: EngineSettings) -> int:
    return _run_hosts(args, settings, deploy.deploy_one, rollout.DEPLOY,
                      "Hosted Engine deployed on")


def cmd_undeploy(args: argparse.Namespace, settings: EngineSettings) -> int:
    return _run_hosts(args, settings, deploy.undeploy_one, rollout.UNDEPLOY,
                      "Hosted Engine undeployed from")


def cmd_fetch_unit(args: argparse.Namespace, settings: EngineSettings) -> int:
    from .. import answerfile
    with connected(settings) as connection:
        conf_text = confdisk.fetch_conf(connection, settings, args.poll_interval, _say,
                                        args.disk_id)
    try:
        unit = answerfile.build_answer_file(conf_text, args.host_id)
    except InvalidUnit as error:
        raise EngineError("the hosted-engine.conf on the configuration disk is not usable:\n"
                          + str(error)) from None
    for warning in unit.warnings:
        _say("warning: {}".format(warning))
    try:
        answerfile.emit_unit(unit, args.output)
    except (OSError, hostfs.HostFileError) as error:
        raise EngineError("cannot write {}: {}".format(args.output, error)) from None
    return EXIT_OK


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("{} is not a number".format(ascii(text))) from None
        if value <= 0:
            raise argparse.ArgumentTypeError("must be greater than 0")
        return value
    return parse


class _RefusePassword(argparse.Action):
    """--password is refused without echoing its value (argv is visible to every user)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: Any = None) -> None:
        parser.error("the engine password is never taken from the command line; use "
                     "--password-file FILE or {}".format(PASSWORD_ENV))


def _connection_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("engine connection")
    group.add_argument("--engine-url", metavar="URL", default=os.environ.get("OVIRT_ENGINE_URL"),
                       help="https://ENGINE/ovirt-engine/api (default: $OVIRT_ENGINE_URL)")
    group.add_argument("--username", metavar="USER", default=DEFAULT_USERNAME,
                       help="engine user (default: %(default)s)")
    group.add_argument("--password-file", metavar="FILE",
                       help="file whose first line is the password (default: the password "
                            "itself from ${})".format(PASSWORD_ENV))
    group.add_argument("--password", action=_RefusePassword, help=argparse.SUPPRESS)
    group.add_argument("--ca-file", metavar="PEM", help="engine CA certificate to verify TLS")
    group.add_argument("--insecure", action="store_true",
                       help="do not verify the engine's TLS certificate (prints a warning)")
    return common


def _host_job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hosts", metavar="HOST", nargs="+", help="host name in the engine")
    parser.add_argument("--root-password-file", metavar="FILE",
                        help="file with the hosts' root password (default: the engine's SSH key)")
    parser.add_argument("--reboot", action="store_true",
                        help="reboot the host after the install (sent as reboot=false "
                             "otherwise: the engine's own default for add and install is "
                             "to reboot)")
    parser.add_argument("--activate", action="store_true",
                        help="activate hosts that were not up before (default: each host "
                             "ends as it was, up if it was up, else in maintenance; added "
                             "hosts are always activated)")
    parser.add_argument("--force", action="store_true",
                        help="reinstall hosts that are already as asked (default: leave "
                             "them alone)")
    parser.add_argument("--parallel", metavar="N", type=_positive(int), default=1,
                        help="hosts handled at the same time; Hosted Engine hosts are still "
                             "taken down one at a time (default: %(default)s)")
    parser.add_argument("--timeout", metavar="SECONDS", type=_positive(float),
                        default=DEFAULT_TIMEOUT,
                        help="give up waiting for a host after this long (default: "
                             "%(default)g, the engine's 120 minutes for the host-deploy "
                             "playbook and 30 for maintenance, reboot and activation)")
    parser.add_argument("--poll-interval", metavar="SECONDS", type=_positive(float), default=5.0,
                        help="seconds between status polls (default: %(default)g)")
    parser.add_argument("--unresponsive-grace", metavar="SECONDS", type=_positive(float),
                        default=UNRESPONSIVE_GRACE,
                        help="how long a host may stay non_responsive before it counts as "
                             "failed (default: %(default)g, as ovirt_host)")


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str,
               help_text: str) -> None:
    """Add `engine` with its subcommands to the ovirt-he-deploy command line."""
    engine = commands.add_parser(
        name, help=help_text,
        description="Drive Hosted Engine hosts through the oVirt engine REST API. Needs "
                    "ovirt-engine-sdk-python (package ovirt-he-deploy-engine).")
    sub = engine.add_subparsers(dest="engine_command", metavar="ENGINE-COMMAND")
    sub.required = True
    # No abbreviations: `--password SECRET` must not pass for --password-file (and be echoed).
    common = _connection_options()

    status = sub.add_parser(
        "status", parents=[common], allow_abbrev=False,
        help="hosts and their Hosted Engine state",
        description="Every host with its status and Hosted Engine fields.")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.set_defaults(func=_runner(cmd_status))

    deploy_parser = sub.add_parser(
        "deploy", parents=[common], allow_abbrev=False, help="deploy Hosted Engine on hosts",
        description="Add each HOST with Hosted Engine (new hosts need --cluster), or move it to "
                    "maintenance and reinstall it with Hosted Engine; then wait until the engine "
                    "reports it ready (up, configured, active, score > 0). Hosts already ready "
                    "are left alone. Hosted Engine hosts are taken down one at a time, only "
                    "while another one is up and ready, the one running the engine VM last. "
                    "On 4.4+ engines the engine's own Ansible role configures the host.")
    _host_job_options(deploy_parser)
    deploy_parser.add_argument("--cluster", metavar="NAME", help="cluster for hosts to add")
    deploy_parser.add_argument("--address", metavar="ADDR",
                               help="address of a host to add (default: HOST)")
    deploy_parser.set_defaults(func=_runner(cmd_deploy))

    undeploy = sub.add_parser(
        "undeploy", parents=[common], allow_abbrev=False, help="remove Hosted Engine from hosts",
        description="Move each HOST to maintenance, reinstall it without Hosted Engine, "
                    "return it to the state it was in and check the engine no longer reports "
                    "Hosted Engine on it; print how to free its slot in the shared metadata.")
    _host_job_options(undeploy)
    undeploy.set_defaults(func=_runner(cmd_undeploy))

    fetch = sub.add_parser(
        "fetch-unit", parents=[common], allow_abbrev=False,
        help="build a deploy unit from the configuration disk",
        description="Read hosted-engine.conf from the Hosted Engine configuration disk (image "
                    "transfer), set host_id, check it and write an otopi deploy unit (0600).")
    fetch.add_argument("--host-id", metavar="N", required=True, type=host_id_arg,
                       help="the new host's vds_spm_id")
    fetch.add_argument("-o", "--output", metavar="OUT", help="file to write (default: stdout)")
    fetch.add_argument("--disk-id", metavar="ID",
                       help="the configuration disk, when the engine lists more than one "
                            "candidate (conf_image_UUID in a Hosted Engine host's "
                            "hosted-engine.conf)")
    fetch.add_argument("--poll-interval", metavar="SECONDS", type=_positive(float), default=1.0,
                       help="seconds between image transfer polls (default: %(default)g)")
    fetch.set_defaults(func=_runner(cmd_fetch_unit))

