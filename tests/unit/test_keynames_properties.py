"""keynames' stray-key checks as properties (hypothesis; Python 3 only, tests/conftest.py)."""

from hypothesis import given
from hypothesis import strategies as st

from ovirt_he_deploy import envkeys, keynames

SECTION_CHARS = st.sampled_from("HOSTEDNGICFABX_-/ ")


@given(st.text(SECTION_CHARS, min_size=1, max_size=24))
def test_the_cheap_check_never_misses_a_stray_key(section):
    # Runs with action none call only envkeys.maybe_stray; keynames must agree with it.
    name = section + "/key"
    if keynames.is_stray(name):
        assert envkeys.maybe_stray([name])


@given(st.text(SECTION_CHARS, min_size=1, max_size=24))
def test_mutations_of_our_prefixes_are_caught_up_to_two_edits(section):
    name = section.split("/")[0] + "/action"
    prefix = envkeys.normal_section(envkeys.section_of(name))
    close = min(keynames.distance(prefix, envkeys.normal_section(ours))
                for ours in envkeys.OUR_SECTIONS)
    ours = envkeys.section_of(name) in envkeys.OUR_SECTIONS
    assert keynames.is_stray(name) == (close <= envkeys.PREFIX_EDITS and not ours)
