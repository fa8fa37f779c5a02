# -*- coding: utf-8 -*-
"""File transaction element (contract §8.3)."""

import datetime
import grp
import os
import pwd
import shutil
import stat
import subprocess
import tempfile

from . import transaction, util


@util.export
class FileTransaction(transaction.TransactionElement):
    """Write a file atomically at commit time."""

    _atomicMove = None

    @classmethod
    def registerAtomicMove(cls, func):
        cls._atomicMove = staticmethod(func)

    def __init__(
        self,
        name,
        content,
        binary=False,
        mode=0o644,
        dmode=0o755,
        owner=None,
        group=None,
        downer=None,
        dgroup=None,
        enforcePermissions=False,
        visibleButUnsafe=False,
        modifiedList=None,
    ):
        super(FileTransaction, self).__init__()
        self._name = name
        if binary:
            self._content = content
        else:
            if isinstance(content, (list, tuple)):
                text = '\n'.join(content) + '\n'
            else:
                text = content
                if not text.endswith('\n'):
                    text += '\n'
            self._content = text.encode('utf-8')
        self._mode = mode
        self._dmode = dmode
        self._owner = -1
        self._group = -1
        self._downer = -1
        self._dgroup = -1
        if owner is not None:
            pw = pwd.getpwnam(owner)
            self._owner, self._group = pw.pw_uid, pw.pw_gid
        if group is not None:
            self._group = grp.getgrnam(group).gr_gid
        if downer is not None:
            pw = pwd.getpwnam(downer)
            # contract §8.3 bug: downer overwrites the *file* group
            self._downer, self._group = pw.pw_uid, pw.pw_gid
        if dgroup is not None:
            self._dgroup = grp.getgrnam(dgroup).gr_gid
        self._enforcePermissions = enforcePermissions
        self._visibleButUnsafe = visibleButUnsafe
        self._modifiedList = modifiedList if modifiedList is not None else []
        self._tmpName = None
        self._backup = None
        self._skip = False
        self._movedIn = False

    def __str__(self):
        return "File transaction for '%s'" % self._name

    @property
    def name(self):
        return self._name

    @property
    def tmpName(self):
        return self._tmpName

    @property
    def backup(self):
        return self._backup

    def _createDirs(self, directory):
        missing = []
        while directory and not os.path.exists(directory):
            missing.append(directory)
            directory = os.path.dirname(directory)
        for d in reversed(missing):
            os.mkdir(d, self._dmode)
            os.chmod(d, self._dmode)
            if self._downer != -1 or self._dgroup != -1:
                os.chown(d, self._downer, self._dgroup)

    def prepare(self):
        mode, owner, group = self._mode, self._owner, self._group
        if os.path.exists(self._name):
            with open(self._name, 'rb') as f:
                current = f.read()
            if current == self._content:
                self.logger.debug("file '%s' unchanged, skipping", self._name)
                self._skip = True
                return
            if not os.access(self._name, os.W_OK):
                raise IOError("File '%s' is not writable" % self._name)
            if not self._enforcePermissions:
                st = os.stat(self._name)
                mode, owner, group = stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid
            self._backup = '%s.%s' % (
                self._name,
                datetime.datetime.now().strftime('%Y%m%d%H%M%S'),
            )
            self.logger.debug("backup '%s'->'%s'", self._name, self._backup)
            shutil.copy2(self._name, self._backup)
        else:
            self._createDirs(os.path.dirname(os.path.abspath(self._name)))

        fd, self._tmpName = tempfile.mkstemp(
            prefix='%s.' % os.path.basename(self._name),
            suffix='.tmp',
            dir=os.path.dirname(os.path.abspath(self._name)),
        )
        try:
            if owner != -1 or group != -1:
                os.chown(self._tmpName, owner, group)
            os.chmod(self._tmpName, mode)
            os.write(fd, self._content)
            os.fsync(fd)
        finally:
            os.close(fd)
        if self._visibleButUnsafe:
            self._move()
            self._movedIn = True

    def _move(self):
        if self._atomicMove is not None:
            self._atomicMove(self._tmpName, self._name)
        else:
            try:
                os.rename(self._tmpName, self._name)
            except OSError:
                shutil.copyfile(self._tmpName, self._name)
                os.unlink(self._tmpName)
        self._tmpName = None

    def commit(self):
        if self._skip:
            return
        if not self._movedIn:
            self._move()
        self._modifiedList.append(self._name)
        if os.path.exists('/sbin/restorecon'):
            subprocess.call(['/sbin/restorecon', '-r', self._name])

    def abort(self):
        if self._tmpName is not None and os.path.exists(self._tmpName):
            os.unlink(self._tmpName)
            self._tmpName = None
        if self._movedIn:
            if self._backup is not None:
                os.rename(self._backup, self._name)
            elif os.path.exists(self._name):
                os.unlink(self._name)
            self._movedIn = False
