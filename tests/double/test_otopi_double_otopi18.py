"""The double's otopi-1.8 mode (OTOPI_DOUBLE_VERSION=1.8): each difference from 1.10 that a
plugin group can see, as read in oVirt/otopi tag otopi-1.8.4 (see otopi/emulation.py)."""

import os
import sys

import otopi_harness
import pytest

SECRET = 'S3cret-in-a-line'
V18 = {'OTOPI_DOUBLE_VERSION': '1.8'}


@pytest.fixture(params=['1.10', '1.8'])
def version(request):
    return request.param


def probe(run, groups, version, *more):
    return run(groups('dv_versions') + list(more),
               os_env={'OTOPI_DOUBLE_VERSION': version})


@pytest.fixture
def groups():
    def _statements(*names):
        return otopi_harness.group_statements(
            os.path.join(os.path.dirname(os.path.abspath(__file__)), 'groups'),
            *[name.replace('dv_', 'dt_') for name in names])
    return _statements


def test_the_version_is_reported_in_the_environment(run, groups, version):
    result = probe(run, groups, version)
    assert result.exit_code == 0, result.log_text[-2000:]
    assert result.environment['INFO/PACKAGE_VERSION'] == version + (
        '.4-double' if version == '1.8' else '.5-double')


@pytest.mark.skipif(sys.version_info[0] == 2, reason="Python 2 has its own unicode builtin")
def test_unicode_is_a_builtin_only_under_1_8(run, groups, version):
    # otopi-1.8.4 src/otopi/__init__.py:11-28 sets builtins.unicode = str on Python 3.
    result = probe(run, groups, version)
    assert result.environment['DV/unicodeBuiltin'] is (
        version == '1.8' or sys.version_info[0] == 2)


def test_the_question_filter_and_ignore_missing_key_exist_only_in_1_10(run, groups, version):
    # 1.8.4 src/otopi/constants.py CoreEnv/BaseEnv have neither name.
    result = probe(run, groups, version)
    assert result.environment['DV/questionsFilter'] is (version == '1.10')
    assert result.environment['DV/ignoreMissingKey'] is (version == '1.10')
    assert ('CORE/logFilterQuestions' in result.environment) is (version == '1.10')


def test_a_regexp_added_before_log_init_is_dropped_by_1_8(run, groups, version):
    # 1.8.4 plugins/otopi/core/log.py:208-211: otopi.core.log.init resets CORE/logFilterRe.
    result = probe(run, groups, version, 'DV/secret=str:' + SECRET)
    assert result.exit_code == 0
    if version == '1.8':
        assert 'dv secret line DV-SECRET=' + SECRET in result.log_text
    else:
        assert 'DV-SECRET=' + SECRET not in result.log_text
        assert 'dv secret line DV-SECRET=**FILTERED**' in result.log_text


def test_the_packager_base_has_no_getconf_or_safe_update_check_in_1_8(run, groups, version):
    # 1.8.4 src/otopi/packager.py: PackagerBase ends with queryPackages.
    result = probe(run, groups, version, *otopi_harness.fakes_statements())
    assert result.exit_code == 0, result.log_text[-2000:]
    assert result.environment['DV/packagerGetConf'] is (version == '1.10')
    assert result.environment['DV/packagerSafeUpdate'] is (version == '1.10')


def test_unknown_before_after_names_are_not_even_logged_by_1_8(run, groups, version):
    # 1.10 context.py checkSequence logs each unknown name; 1.8.4 does not look.
    result = probe(run, groups, version)
    logged = 'refers to a method name "dv.no.such.event"' in result.log_text
    assert logged is (version == '1.10')


def write(path, text):
    with open(str(path), 'w') as stream:
        stream.write(text)
    return str(path)


def test_a_value_with_percent_paren_fails_the_run_under_1_8_only(run, tmp_path, version):
    # 1.8.4 plugins/otopi/core/config.py:70: ConfigParser() interpolates (Python 2's rules).
    conf = write(tmp_path / 'a.conf',
                 '[environment:default]\nDV/value=str:pa%(ss)word\nDV/plain=str:5%\n')
    result = run(['CORE/configFileAppend=str:' + conf],
                 os_env={'OTOPI_DOUBLE_VERSION': version})
    if version == '1.8':
        assert result.exit_code == 1
        assert 'Bad value substitution' in result.log_text
        assert 'pa%(ss)word' in result.log_text  # otopi 1.8 shows the raw value
    else:
        assert result.exit_code == 0
        assert result.environment['DV/value'] == 'pa%(ss)word'
        assert result.environment['DV/plain'] == '5%'


def test_python2_interpolation_rules_under_1_8(run, tmp_path):
    # Checked against Python 2.7.18's ConfigParser: only a value holding '%(' is formatted,
    # and again while it holds one, so '%%(' is no escape: no value can hold '%('.
    conf = write(tmp_path / 'a.conf',
                 '[environment:default]\nDV/plain=str:5%\n'
                 'DV/name=str:x\nDV/ref=str:%(DV/name)s-y\n')
    result = run(['CORE/configFileAppend=str:' + conf], os_env=V18)
    assert result.exit_code == 0, result.log_text[-2000:]
    assert result.environment['DV/plain'] == '5%'
    assert result.environment['DV/ref'] == 'str:x-y'
    escaped = write(tmp_path / 'b.conf', '[environment:default]\nDV/escaped=str:a%%(b)s\n')
    result = run(['CORE/configFileAppend=str:' + escaped], os_env=V18)
    assert result.exit_code == 1
    assert 'Bad value substitution' in result.log_text


def test_a_config_file_that_does_not_parse_fails_1_8_and_is_skipped_by_1_10(
        run, tmp_path, version):
    # 1.10 plugins/otopi/core/config.py:150-159 skips it (DEBUG line); 1.8.4 :117 raises.
    bad = write(tmp_path / 'bad.conf', 'no section header\n')
    good = write(tmp_path / 'good.conf', '[environment:default]\nDV/good=str:yes\n')
    result = run(['CORE/configFileAppend=str:%s:%s' % (bad, good)],
                 os_env={'OTOPI_DOUBLE_VERSION': version})
    if version == '1.8':
        assert result.exit_code == 1
        assert 'MissingSectionHeaderError' in result.log_text or (
            'no section headers' in result.log_text)
    else:
        assert result.exit_code == 0
        assert result.environment['DV/good'] == 'yes'
        assert 'Failed to read config file ' + bad in result.log_text


def test_an_unknown_version_is_refused_with_the_fix(run):
    with pytest.raises(ValueError, match=r"OTOPI_DOUBLE_VERSION='1\.9'.*1\.10 or 1\.8"):
        run([], os_env={'OTOPI_DOUBLE_VERSION': '1.9'})


def test_1_10_names_come_back_after_a_1_8_run(run, groups):
    from otopi import constants, packager
    run([], os_env=V18)
    assert not hasattr(constants.CoreEnv, 'LOG_FILTER_QUESTIONS')
    run([], os_env={'OTOPI_DOUBLE_VERSION': '1.10'})  # pinned: the suite may run as 1.8
    assert constants.CoreEnv.LOG_FILTER_QUESTIONS == 'CORE/logFilterQuestions'
    assert hasattr(packager.PackagerBase, 'getConf')
    if sys.version_info[0] >= 3:  # Python 2 has its own unicode builtin
        import builtins
        assert not hasattr(builtins, 'unicode')
