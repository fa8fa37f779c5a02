# -*- coding: utf-8 -*-
"""Transaction and FileTransaction semantics (contract §3 window, §8)."""

import os
import stat

import pytest
from otopi import filetransaction, transaction


class Rec(transaction.TransactionElement):

    def __init__(self, log, label, fail=None):
        super(Rec, self).__init__()
        self.log, self.label, self.fail = log, label, fail

    def __str__(self):
        return self.label

    def prepare(self):
        self.log.append('prepare ' + self.label)

    def commit(self):
        if self.fail == 'commit':
            raise RuntimeError('commit failed')
        self.log.append('commit ' + self.label)

    def abort(self):
        self.log.append('abort ' + self.label)
        if self.fail == 'abort':
            raise RuntimeError('abort failed')


def test_commit_is_lifo():
    log = []
    t = transaction.Transaction()
    for label in 'abc':
        t.append(Rec(log, label))
    t.prepare()
    t.commit()
    assert log == ['prepare a', 'prepare b', 'prepare c', 'commit c', 'commit b', 'commit a']


def test_append_after_prepare_prepares_at_once():
    log = []
    t = transaction.Transaction()
    t.prepare()
    t.append(Rec(log, 'x'))
    assert log == ['prepare x']


def test_abort_only_prepared_not_committed_and_swallows_errors():
    log = []
    t = transaction.Transaction()
    t.append(Rec(log, 'a', fail='abort'))
    t.append(Rec(log, 'b', fail='commit'))
    t.prepare()
    with pytest.raises(RuntimeError):
        t.commit()
    t.abort()
    assert log == ['prepare a', 'prepare b', 'abort a']


def test_append_rejects_non_elements():
    with pytest.raises(TypeError):
        transaction.Transaction().append('not an element')


@pytest.mark.parametrize('fail,expected', [
    (False, ['prepare a', 'commit a']),
    (True, ['prepare a', 'abort a']),
], ids=['clean-exit-commits', 'exception-aborts'])
def test_context_manager(fail, expected):
    log = []
    with pytest.raises(ValueError) if fail else _nothing():
        with transaction.Transaction() as t:
            t.append(Rec(log, 'a'))
            if fail:
                raise ValueError('boom')
    assert log == expected


class _nothing(object):
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_default_element_str_raises_attribute_error():
    with pytest.raises(AttributeError):
        str(transaction.TransactionElement())


def test_main_transaction_window_in_a_run(run, groups):
    result = run(groups('dt_probe') + ['DT/transactions=bool:True'])
    assert result.exit_code == 0
    assert result.environment['DT/transLog'] == [
        'transaction-prepare:prepare:A', 'transaction-prepare:prepare:B',
        'misc:prepare:C',
        'cleanup:commit:C', 'cleanup:commit:B', 'cleanup:commit:A',
        'closeup:prepare:D',
    ]


def test_file_appended_after_transaction_end_is_never_written(run, groups, tmp_path):
    late = tmp_path / 'late.conf'
    result = run(groups('dt_probe') + ['DT/lateFile=str:%s' % late])
    assert result.exit_code == 0
    assert not late.exists()


def test_file_transaction_in_run_fills_modified_files(run, groups, tmp_path):
    target = tmp_path / 'a' / 'b' / 'dt.conf'
    result = run(groups('dt_probe') + ['DT/file=str:%s' % target,
                                       "DT/fileContent=str:'k=v'"])
    assert result.exit_code == 0
    assert target.read_text() == 'k=v\n'
    assert result.environment['CORE/modifiedFiles'] == [str(target)]


# -- FileTransaction unit tests ------------------------------------------------

def _ft(path, content, **kw):
    return filetransaction.FileTransaction(name=str(path), content=content, **kw)


@pytest.mark.parametrize('content,binary,expected', [
    ('a', False, b'a\n'),
    ('a\n', False, b'a\n'),
    (['x', 'y'], False, b'x\ny\n'),
    (('x',), False, b'x\n'),
    ('\u00e9', False, '\u00e9\n'.encode('utf-8')),
    (b'\x00raw', True, b'\x00raw'),
], ids=['str-gets-newline', 'str-keeps-newline', 'list', 'tuple', 'utf8', 'binary'])
def test_content_forms(tmp_path, content, binary, expected):
    target = tmp_path / 'f'
    with transaction.Transaction() as t:
        t.append(_ft(target, content, binary=binary))
    assert target.read_bytes() == expected


def test_new_file_creates_missing_dirs_at_prepare_with_dmode(tmp_path):
    target = tmp_path / 'd1' / 'd2' / 'f'
    ft = _ft(target, 'x', mode=0o600, dmode=0o700)
    ft.prepare()
    assert (tmp_path / 'd1' / 'd2').is_dir()
    assert stat.S_IMODE(os.stat(str(tmp_path / 'd1')).st_mode) == 0o700
    assert not target.exists()
    ft.abort()
    assert (tmp_path / 'd1' / 'd2').is_dir()  # dirs are not removed on abort
    assert os.listdir(str(tmp_path / 'd1' / 'd2')) == []


def test_new_file_mode_and_commit(tmp_path):
    target = tmp_path / 'f'
    modified = []
    ft = _ft(target, 'x', mode=0o640, modifiedList=modified)
    ft.prepare()
    ft.commit()
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == 0o640
    assert modified == [str(target)]


def test_temp_file_in_target_dir_and_abort_removes_it(tmp_path):
    target = tmp_path / 'f.conf'
    ft = _ft(target, 'x')
    ft.prepare()
    temps = [n for n in os.listdir(str(tmp_path)) if n.startswith('f.conf.')]
    assert len(temps) == 1 and temps[0].endswith('.tmp')
    ft.abort()
    assert os.listdir(str(tmp_path)) == []


def test_identical_content_does_nothing(tmp_path):
    target = tmp_path / 'f'
    target.write_text('same\n')
    modified = []
    ft = _ft(target, 'same', modifiedList=modified)
    ft.prepare()
    ft.commit()
    assert sorted(os.listdir(str(tmp_path))) == ['f']
    assert modified == []


@pytest.mark.parametrize('enforce,expected_mode', [
    (False, 0o600), (True, 0o644),
], ids=['keeps-existing-mode', 'enforce-permissions'])
def test_existing_file_mode(tmp_path, enforce, expected_mode):
    target = tmp_path / 'f'
    target.write_text('old\n')
    os.chmod(str(target), 0o600)
    with transaction.Transaction() as t:
        t.append(_ft(target, 'new', mode=0o644, enforcePermissions=enforce))
    assert target.read_text() == 'new\n'
    assert stat.S_IMODE(os.stat(str(target)).st_mode) == expected_mode


def test_existing_differing_file_gets_timestamped_backup_left_in_place(tmp_path):
    target = tmp_path / 'f'
    target.write_text('old\n')
    ft = _ft(target, 'new')
    ft.prepare()
    backups = [n for n in os.listdir(str(tmp_path)) if n != 'f' and not n.endswith('.tmp')]
    assert len(backups) == 1
    assert backups[0][len('f.'):].isdigit() and len(backups[0]) == len('f.') + 14
    ft.commit()
    assert (tmp_path / backups[0]).read_text() == 'old\n'
    assert target.read_text() == 'new\n'


def test_unknown_owner_raises_key_error_at_construction(tmp_path):
    with pytest.raises(KeyError):
        _ft(tmp_path / 'f', 'x', owner='no-such-user-dt')


def test_str_names_the_file(tmp_path):
    assert str(tmp_path / 'f') in str(_ft(tmp_path / 'f', 'x'))
