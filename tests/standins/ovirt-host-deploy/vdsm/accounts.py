"""The vdsm user and kvm group, which exist only once the vdsm package is installed.

On a new host ovirt-host-deploy installs ovirt-host, hence vdsm and its accounts, in
STAGE_PACKAGES. This stand-in hides the accounts from pwd/grp in this otopi process until
the packager has installed ovirt-host, so a plugin that looks them up earlier fails as it
would on a real new host. OHD_STANDIN/newHost=bool:False: a host that has vdsm already.
The accounts map to uid/gid 36 (vdsm's and kvm's ids on EL) when the run is root, else to
the running user, so files can really be given to them.
"""

import grp
import os
import pwd

from otopi import plugin, util

NEW_HOST = 'OHD_STANDIN/newHost'
USER = 'vdsm'
GROUP = 'kvm'
PACKAGE = 'ovirt-host'

if not hasattr(pwd, '_ohd_standin_original'):
    pwd._ohd_standin_original = (pwd.getpwnam, pwd.getpwuid, grp.getgrnam, grp.getgrgid)
_ORIGINAL = pwd._ohd_standin_original


def ids():
    """(uid of vdsm, gid of kvm) as this stand-in hands them out."""
    if os.geteuid() == 0:
        return 36, 36
    return os.getuid(), os.getgid()


class _Accounts(object):
    """pwd/grp lookups with the two accounts added once `visible` is True."""

    def __init__(self):
        self.visible = False
        uid, gid = ids()
        self.user = pwd.struct_passwd((USER, 'x', uid, gid, 'Node Virtualization Manager',
                                       '/var/lib/vdsm', '/sbin/nologin'))
        self.group = grp.struct_group((GROUP, 'x', gid, [USER]))
        # The system's own lookups, kept once per process (a run of the double in a test
        # process loads this module again for every run).
        self._getpwnam, self._getpwuid, self._getgrnam, self._getgrgid = _ORIGINAL

    def install(self):
        pwd.getpwnam, pwd.getpwuid = self.getpwnam, self.getpwuid
        grp.getgrnam, grp.getgrgid = self.getgrnam, self.getgrgid

    @staticmethod
    def uninstall():
        pwd.getpwnam, pwd.getpwuid, grp.getgrnam, grp.getgrgid = _ORIGINAL

    def getpwnam(self, name):
        if name == USER:
            if self.visible:
                return self.user
            raise KeyError("getpwnam(): name not found: '%s'" % name)
        return self._getpwnam(name)

    def getpwuid(self, uid):
        if self.visible and uid == self.user.pw_uid:
            return self.user
        return self._getpwuid(uid)

    def getgrnam(self, name):
        if name == GROUP:
            if self.visible:
                return self.group
            raise KeyError("getgrnam(): name not found: '%s'" % name)
        return self._getgrnam(name)

    def getgrgid(self, gid):
        if self.visible and gid == self.group.gr_gid:
            return self.group
        return self._getgrgid(gid)


_ACCOUNTS = _Accounts()


@util.export
class Plugin(plugin.PluginBase):

    @plugin.event(
        stage=plugin.Stages.STAGE_BOOT,
        priority=plugin.Stages.PRIORITY_FIRST,
    )
    def _boot(self):
        _ACCOUNTS.visible = False
        _ACCOUNTS.install()

    @plugin.event(
        stage=plugin.Stages.STAGE_INIT,
    )
    def _init(self):
        self.environment.setdefault(NEW_HOST, True)
        _ACCOUNTS.visible = not self.environment[NEW_HOST]

    @plugin.event(
        stage=plugin.Stages.STAGE_PACKAGES,
        priority=plugin.Stages.PRIORITY_LAST + 1,
    )
    def _installed(self):
        # Right after the packager processed the transaction (PRIORITY_LAST).
        if any(p['name'] == PACKAGE for p in self.packager.queryPackages(patterns=(PACKAGE,))):
            _ACCOUNTS.visible = True
            self.logger.debug('stand-in: vdsm installed, accounts %s:%s exist', USER, GROUP)

    @plugin.event(
        stage=plugin.Stages.STAGE_TERMINATE,
        priority=plugin.Stages.PRIORITY_LAST + 2000,
    )
    def _terminate(self):
        _ACCOUNTS.uninstall()
