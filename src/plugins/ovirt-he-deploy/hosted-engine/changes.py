"""File changes through otopi transactions: the staged element, and what follows a commit
(the modified-files list, SELinux contexts). Shared by misc (deploy, in the main transaction)
and closeup (remove, in its own transaction once the metadata cleanup is done)."""

from otopi import constants as otopicons
from otopi import transaction

from ovirt_he_deploy import envkeys


class StagedElement(transaction.TransactionElement):
    """A library staged change (prepare/commit/abort) inside an otopi transaction."""

    def __init__(self, parent, staged, path):
        super(StagedElement, self).__init__()
        self._parent = parent
        self._staged = staged
        self._path = path
        self._changed = False

    def __str__(self):
        return "Hosted Engine {}".format(self._staged)

    def prepare(self):
        self._changed = self._staged.prepare()

    def commit(self):
        if self._changed:
            self._staged.commit()
            self._parent.committed(self._path, self._staged.committed)
            describe = getattr(self._staged, "describe", None)
            envkeys.record_change(self._parent.environment,
                                  describe() if describe else "changed {}".format(self._path))

    def abort(self):
        self._staged.abort()


class FileChanges(object):
    """For a plugin that changes files: what is done once a change is committed."""

    def committed(self, path, placed):
        """A file of ours changed: record it, and give new files their SELinux context."""
        self.environment[otopicons.CoreEnv.MODIFIED_FILES].append(path)
        if placed:
            self._restore_contexts(placed)

    def _command(self, name):
        """A command's path, or None. Looked up when needed: a required get() searches
        SYSTEM/commandPath on demand (an optional one sees only what otopi detected for keys
        declared before STAGE_PROGRAMS, which a run with action none would pay for)."""
        try:
            return self.command.get(name)
        except RuntimeError:
            return None

    def _restore_contexts(self, paths):
        # As otopi's FileTransaction does after its commit: a file renamed into place has
        # the context of where its temp file was made, not necessarily the policy's.
        restorecon = self._command("restorecon")
        if restorecon is None:
            self.logger.debug("restorecon not found; SELinux contexts not restored")
            return
        selinuxenabled = self._command("selinuxenabled")
        if selinuxenabled is not None and self.execute(
                (selinuxenabled,), raiseOnError=False)[0] != 0:
            self.logger.debug("SELinux is disabled; contexts not restored")
            return
        rc, _stdout, stderr = self.execute((restorecon, "-r") + tuple(paths),
                                           raiseOnError=False)
        if rc != 0:
            self.logger.warning("Hosted Engine: failed to restore the SELinux context of %s "
                                "(restorecon exit %s): %s; run 'restorecon -r %s'.",
                                ", ".join(paths), rc, " ".join(stderr[-1:]), " ".join(paths))
