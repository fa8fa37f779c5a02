"""Render hosted-engine.conf from a checked deploy unit with jinja2 (StrictUndefined)."""

import functools
import os

from .compat import TYPE_CHECKING
from .unit import ValidUnit

if TYPE_CHECKING:  # jinja2 is imported when something is rendered, not when this is imported
    from typing import List, Tuple

    import jinja2

CONF_TEMPLATE = "hosted-engine.conf.j2"
# The templates travel inside the package, so wherever ovirt_he_deploy can be imported
# (source tree, wheel, pip --target, RPM, the engine's host-deploy bundle) they are found.
PACKAGE_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


class TemplateMissing(RuntimeError):
    """A template is in none of the directories searched."""


def template_dirs():
    # type: () -> List[str]
    """The directories templates are looked for in, in order."""
    return [PACKAGE_TEMPLATES]


def find_template(name):
    # type: (str) -> Tuple[str, ...]
    """The search path for a template that exists there; TemplateMissing naming every dir."""
    dirs = tuple(template_dirs())
    if not any(os.path.isfile(os.path.join(path, name)) for path in dirs):
        raise TemplateMissing(
            "template {} not found; searched: {}. Reinstall ovirt-he-deploy, or copy the "
            "whole ovirt_he_deploy package directory (its templates/ included).".format(
                name, ", ".join(dirs)))
    return dirs


def load_template(name):
    # type: (str) -> jinja2.Template
    """The one place templates are found."""
    return _compiled(name, find_template(name))


@functools.lru_cache(maxsize=8)
def _compiled(name, dirs):
    # type: (str, Tuple[str, ...]) -> jinja2.Template
    # Compiling costs far more than rendering: once per process.
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    return environment.get_template(name)


def render_conf(unit):
    # type: (ValidUnit) -> str
    """hosted-engine.conf text: header comment, one key=value per line, LF, final newline."""
    text = load_template(CONF_TEMPLATE).render(entries=unit.entries)
    if not text.endswith("\n"):
        text += "\n"
    return text
