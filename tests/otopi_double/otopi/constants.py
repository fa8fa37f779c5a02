# -*- coding: utf-8 -*-
"""otopi constants: env keys, event names, wire types, exit codes (contract §7.2)."""

from . import util


@util.export
class Const(object):
    EXIT_CODE_SUCCESS = 0
    EXIT_CODE_GENERAL_ERROR = 1
    EXIT_CODE_INITIALIZATION_ERROR = 2
    EXIT_CODE_PACKAGES_ACTION_NO_UPDATES = 101
    EXIT_CODE_PACKAGES_ACTION_UPDATES = 102
    DIALOG_BOUNDARY = '--=451b80dc-996f-432e-9e4f-2b29ef6d1141=--'
    DIALOG_ABORT_BOUNDARY = '--=451b80dc-996f-ABORT-9e4f-2b29ef6d1141=--'
    LOG_FILTERED = '**FILTERED**'


@util.export
class Types(object):
    NONE = 'none'
    BOOLEAN = 'bool'
    INTEGER = 'int'
    STRING = 'str'
    MULTI_STRING = 'multi-str'
    OBJECT = 'object'


@util.export
class SystemEnvironment(object):
    DEBUG = 'OTOPI_DEBUG'
    LOGDIR = 'OTOPI_LOGDIR'
    LOGFILE = 'OTOPI_LOGFILE'
    CONFIG = 'OTOPI_CONFIG'
    EXECDIR = 'OTOPI_EXECDIR'
    NONROOT = 'OTOPI_NONROOT'
    PYTHON = 'OTOPI_PYTHON'
    DNF_ENABLE = 'OTOPI_DNF_ENABLE'
    COVERAGE = 'OTOPI_COVERAGE'
    ALLOW_PRIORITY_OVERRIDE = 'OTOPI_ALLOW_PRIORITY_OVERRIDE'
    FORCE_FAIL_STAGE = 'OTOPI_FORCE_FAIL_STAGE'
    FORCE_FAIL_PRIORITY = 'OTOPI_FORCE_FAIL_PRIORITY'
    WAIT_ON_ERROR = 'OTOPI_WAIT_ON_ERROR'
    TEST_COMMAND = 'OTOPI_TEST_COMMAND'


@util.export
class BaseEnv(object):
    ERROR = 'BASE/error'
    ABORTED = 'BASE/aborted'
    EXCEPTION_INFO = 'BASE/exceptionInfo'
    EXIT_CODE = 'BASE/exitCode'
    LOG = 'BASE/log'
    PLUGIN_PATH = 'BASE/pluginPath'
    PLUGIN_GROUPS = 'BASE/pluginGroups'
    DEBUG = 'BASE/debug'
    EXECUTION_DIRECTORY = 'BASE/executionDirectory'
    SUPPRESS_ENVIRONMENT_KEYS = 'BASE/suppressEnvironmentKeys'
    COMMAND_PREFIX = 'COMMAND/'
    RANDOMIZE_EVENTS = 'CORE/randomizeEvents'
    FAIL_ON_PRIO_OVERRIDE = 'CORE/failOnPrioOverride'
    IGNORE_MISSING_BEFORE_AFTER = 'CORE/ignoreMissingBeforeAfter'


@util.export
class CoreEnv(object):
    MAIN_TRANSACTION = 'CORE/mainTransaction'
    INTERNAL_PACKAGES_TRANSACTION = 'CORE/internalPackageTransaction'
    MODIFIED_FILES = 'CORE/modifiedFiles'
    LOG_DIR = 'CORE/logDir'
    LOG_FILE_NAME = 'CORE/logFileName'
    LOG_FILE_NAME_PREFIX = 'CORE/logFileNamePrefix'
    LOG_FILTER = 'CORE/logFilter'
    LOG_FILTER_KEYS = 'CORE/logFilterKeys'
    LOG_FILTER_RE = 'CORE/logFilterRe'
    LOG_FILTER_QUESTIONS = 'CORE/logFilterQuestions'
    LOG_FILTER_QUESTIONS_KEYS = 'CORE/logFilterQuestionsKeys'
    LOG_REMOVE_AT_EXIT = 'CORE/logRemoveAtExit'
    VALIDATE_KEYS_FILTERED_EARLY = 'CORE/validateKeysFilteredEarly'
    CONFIG_FILE_NAME = 'CORE/configFileName'
    CONFIG_FILE_APPEND = 'CORE/configFileAppend'
    PACKAGE_NAME = 'INFO/PACKAGE_NAME'
    PACKAGE_VERSION = 'INFO/PACKAGE_VERSION'
    QUESTION_PREFIX = 'QUESTION/'


@util.export
class DialogEnv(object):
    DIALECT = 'DIALOG/dialect'
    CUSTOMIZATION = 'DIALOG/customization'
    BOUNDARY = 'DIALOG/boundary'
    CLI_VERSION = 'DIALOG/cliVersion'
    AUTO_ACCEPT_DEFAULT = 'DIALOG/autoAcceptDefault'
    ANSWER_FILE = 'DIALOG/answerFile'
    ANSWER_FILE_CONTENT = 'DIALOG/answerFileContent'


@util.export
class SysEnv(object):
    CLOCK_SET = 'SYSTEM/clockSet'
    CLOCK_MAX_GAP = 'SYSTEM/clockMaxGap'
    REBOOT = 'SYSTEM/reboot'
    REBOOT_ALLOW = 'SYSTEM/rebootAllow'
    REBOOT_DEFER_TIME = 'SYSTEM/rebootDeferTime'
    COMMAND_PATH = 'SYSTEM/commandPath'


@util.export
class NetEnv(object):
    SSH_ENABLE = 'NETWORK/sshEnable'
    SSH_KEY = 'NETWORK/sshKey'
    SSH_USER = 'NETWORK/sshUser'
    IPTABLES_ENABLE = 'NETWORK/iptablesEnable'
    IPTABLES_RULES = 'NETWORK/iptablesRules'
    FIREWALLD_ENABLE = 'NETWORK/firewalldEnable'
    FIREWALLD_AVAILABLE = 'NETWORK/firewalldAvailable'
    FIREWALLD_DISABLE_SERVICES = 'NETWORK/firewalldDisableServices'
    FIREWALLD_SERVICE_PREFIX = 'NETWORK_FIREWALLD_SERVICE/'


@util.export
class PackEnv(object):
    DNF_PACKAGER_ENABLED = 'PACKAGER/dnfpackagerEnabled'
    DNF_ROLLBACK = 'PACKAGER/dnfRollback'
    YUM_PACKAGER_ENABLED = 'PACKAGER/yumpackagerEnabled'
    KEEP_ALIVE_INTERVAL = 'PACKAGER/keepAliveInterval'


@util.export
class Stages(object):
    """Global event names usable in before/after."""
    CORE_LOG_INIT = 'otopi.core.log.init'
    CORE_CONFIG_INIT = 'otopi.core.config.init'
    DIALOG_MISC_BOOT = 'otopi.dialog.misc.boot'
    DIALOG_BOOT_DONE = 'otopi.dialog.boot.done'
    YUM_PACKAGER_BOOT = 'otopi.packagers.yum.boot'
    PACKAGERS_DETECTION = 'otopi.packagers.detection'
    TRANSACTIONS_INIT = 'otopi.core.transactions.init'
    SYSTEM_COMMAND_DETECTION = 'otopi.system.command.detection'
    SYSTEM_COMMAND_REDETECTION = 'otopi.system.command.redetection'
    DIALOG_CLI_CUSTOMIZATION = 'otopi.dialog.cli.customization'
    DIALOG_CLI_TERMINATION = 'otopi.dialog.cli.termination'
    FIREWALLD_VALIDATION = 'otopi.network.firewalld.validation'
    IPTABLES_VALIDATION = 'otopi.network.iptables.validation'
    ANSWER_FILE_GENERATED = 'otopi.core.answer.file.generated'
    NET_FIREWALLD_VALIDATION = FIREWALLD_VALIDATION
    NET_IPTABLES_VALIDATION = IPTABLES_VALIDATION
    CORE_ANSWER_FILE_GENERATED = ANSWER_FILE_GENERATED
