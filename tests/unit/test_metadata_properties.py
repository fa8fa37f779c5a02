"""metadata's escaping of the command's output as a property (hypothesis; Python 3 only,
tests/conftest.py)."""

from hypothesis import given
from hypothesis import strategies as st

from ovirt_he_deploy import metadata


@given(st.text().filter(lambda text: "'" not in text))
def test_output_is_escaped_as_ascii_escapes_it_on_python_2_too(text):
    assert metadata._last_line([text, "x"]) == "x"
    line = text.strip()
    if line:
        assert metadata._last_line([text]) == ascii(line)[1:-1]
