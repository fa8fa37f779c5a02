# -*- coding: utf-8 -*-
"""Wire types, command-line statements and config files (contract §1.3-§1.5)."""

import pytest
from otopi import common


@pytest.mark.parametrize('wire,expected', [
    ('none:', None),
    ('none:whatever', None),
    ('bool:True', True),
    ('bool:False', False),
    ('bool:false', False),
    ('bool:f', False),
    ('bool:F', False),
    ('bool:0', True),
    ('bool:no', True),
    ('bool:', True),
    ('bool:FALSE', True),
    ('int:42', 42),
    ('int:-1', -1),
    ('str:a:b', 'a:b'),
    ('str:', ''),
    ('multi-str:a\nb', ['a', 'b']),
], ids=lambda v: repr(v))
def test_parse_typed_value(wire, expected):
    assert common.parseTypedValue(wire) == expected


@pytest.mark.parametrize('wire', ['bar', 'float:1', 'object:x'], ids=['no-type', 'float',
                                                                      'object'])
def test_parse_typed_value_rejects(wire):
    with pytest.raises(RuntimeError):
        common.parseTypedValue(wire)


def test_int_parse_error():
    with pytest.raises(ValueError):
        common.parseTypedValue('int:x')


@pytest.mark.parametrize('statement', ['FOO=bar', 'FOO=float:1', 'FOO=int:nope'],
                         ids=['missing-type', 'unknown-type', 'bad-int'])
def test_bad_statement_exits_1_with_no_output(run, statement):
    result = run([statement])
    assert (result.exit_code, result.stdout, result.events) == (1, '', [])


def test_bad_statement_subprocess_is_silent(run):
    result = run(['FOO=bar'], inprocess=False)
    assert (result.exit_code, result.stdout, result.stderr) == (1, '', '')


@pytest.mark.parametrize('argv,key,expected', [
    (['DT/x=str:a'], 'DT/x', 'a'),
    (['DT/x=str:a DT/y=int:3'], 'DT/y', 3),
    (['APPEND:DT/p=str:a'], 'DT/p', ':a'),
    (['DT/p=str:a', 'APPEND:DT/p=str:b'], 'DT/p', 'a:b'),
    (['DT/p=str:a', 'PREPEND:DT/p=str:b'], 'DT/p', 'b:a'),
    (["DT/g=str:'hello world'"], 'DT/g', 'hello world'),
    (['DT/g=str:hello world'], 'DT/g', 'hello'),
    (['ignored-token DT/x=bool:no'], 'DT/x', True),
    (['DT/x=str:a', 'DT/x=str:b'], 'DT/x', 'b'),
], ids=['set', 'one-arg-two-statements', 'append-to-missing', 'append', 'prepend',
        'quoted-space', 'unquoted-space-drops-rest', 'token-without-equals-ignored',
        'last-wins'])
def test_command_line(run, argv, key, expected):
    result = run(argv)
    assert result.exit_code == 0
    assert result.environment[key] == expected


def test_command_line_beats_plugin_setdefault(run, groups):
    result = run(groups('dt_probe') + ['DT/engineValue=str:cli'])
    assert result.environment['DT/seenInValidation'] == 'cli'


def test_runs_in_root_and_resolves_relative_to_execution_directory(run, groups, tmp_path):
    result = run(groups('dt_probe'), cwd=str(tmp_path))
    assert result.environment['DT/cwd'] == '/'
    assert result.environment['DT/resolved'] == str(tmp_path / 'rel' / 'file')


def test_execution_directory_and_cwd(run, tmp_path):
    result = run(['DT/x=str:a'], cwd=str(tmp_path))
    assert result.environment['BASE/executionDirectory'] == str(tmp_path)
    result = run([], os_env={'OTOPI_EXECDIR': '/nonexistent-dt'})
    assert result.environment['BASE/executionDirectory'] == '/nonexistent-dt'


CONF = """\
[environment:default]
DT/def=str:from-default
DT/cliBeatsDefault=str:from-default
DT/multi=multi-str:line1
  line2
[environment:init]
DT/init=str:from-init
DT/initBeatsCli=str:from-init
[environment:override]
DT/override=str:from-override
[environment:enforce]
DT/engineValue=str:from-enforce
"""


def _conf(tmp_path, text=CONF, name='otopi.conf'):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize('key,expected', [
    ('DT/def', 'from-default'),
    ('DT/cliBeatsDefault', 'from-cli'),
    ('DT/init', 'from-init'),
    ('DT/initBeatsCli', 'from-init'),
    ('DT/override', 'from-override'),
    ('DT/multi', ['line1', 'line2']),
], ids=lambda v: str(v))
def test_config_sections(run, tmp_path, key, expected):
    conf = _conf(tmp_path)
    result = run(['CORE/configFileName=str:%s' % conf, 'DT/cliBeatsDefault=str:from-cli',
                  'DT/initBeatsCli=str:from-cli'])
    assert result.exit_code == 0
    assert result.environment[key] == expected


def test_enforce_applies_after_the_customization_prompt(run, groups, tmp_path):
    conf = _conf(tmp_path)
    result = run(groups('dt_probe') + ['CORE/configFileName=str:%s' % conf,
                                       'DT/dialect=str:x'])
    assert result.environment['DT/seenInCustomization'] == 'old'
    assert result.environment['DT/seenInValidation'] == 'from-enforce'


def test_config_from_os_env_relative_d_dir_and_append(run, tmp_path):
    _conf(tmp_path, '[environment:default]\nDT/a=str:main\nDT/b=str:main\n')
    (tmp_path / 'otopi.conf.d').mkdir()
    _conf(tmp_path, '[environment:init]\nDT/b=str:from-d\n', 'otopi.conf.d/10-x.conf')
    _conf(tmp_path, '[environment:init]\nDT/c=str:appended\n', 'extra.conf')
    result = run(['CORE/configFileAppend=str:extra.conf:missing.conf'],
                 os_env={'OTOPI_CONFIG': 'otopi.conf'}, cwd=str(tmp_path))
    assert result.exit_code == 0
    env = result.environment
    assert (env['DT/a'], env['DT/b'], env['DT/c']) == ('main', 'from-d', 'appended')
    assert "Config file '%s' not found" % (tmp_path / 'missing.conf') in result.stdout


def test_bad_value_in_config_fails_the_run(run, tmp_path):
    conf = _conf(tmp_path, '[environment:default]\nDT/a=float:1\n')
    result = run(['CORE/configFileName=str:%s' % conf])
    assert result.exit_code == 1
    assert "Failed to execute stage 'Initializing'" in result.stdout


def test_answer_file_written_at_cleanup_mode_0600(run, groups, tmp_path):
    answers = tmp_path / 'answers.conf'
    result = run(groups('dt_probe') + ['DT/ask=bool:True', 'DIALOG/answerFile=str:%s' % answers,
                                       'QUESTION/1/DT_NAME=str:n1',
                                       'QUESTION/1/DT_HIDDEN=str:s3cr3t'])
    assert result.exit_code == 0
    text = answers.read_text()
    assert text.startswith('[environment:default]\n')
    assert 'QUESTION/1/DT_HIDDEN=str:s3cr3t' in text
    assert answers.stat().st_mode & 0o777 == 0o600
