"""Render hosted-engine.conf from a checked deploy unit with jinja2 (StrictUndefined)."""

import functools
import os
import sys
from typing import Iterator, List, Tuple

import jinja2

from .unit import ValidUnit

CONF_TEMPLATE = "hosted-engine.conf.j2"
TEMPLATE_DIR_ENV = "OVIRT_HE_DEPLOY_TEMPLATES"


def template_dirs() -> List[str]:
    """Where templates are looked for: override, source tree, then installed prefixes."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get(TEMPLATE_DIR_ENV, ""),
                  os.path.join(os.path.dirname(here), "templates")]
    for prefix in (sys.prefix, sys.base_prefix, "/usr/local", "/usr"):
        candidates.append(os.path.join(prefix, "share", "ovirt-he-deploy", "templates"))
    return [path for path in _unique(candidates) if path and os.path.isdir(path)]


def _unique(paths: List[str]) -> Iterator[str]:
    seen = set()
    for path in paths:
        if path not in seen:
            seen.add(path)
            yield path


def load_template(name: str) -> jinja2.Template:
    """The one place templates are found."""
    return _compiled(name, tuple(template_dirs()))


@functools.lru_cache(maxsize=8)
def _compiled(name: str, dirs: Tuple[str, ...]) -> jinja2.Template:
    # Compiling costs far more than rendering; the search path is part of the key so an
    # override (OVIRT_HE_DEPLOY_TEMPLATES) still takes effect.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    return environment.get_template(name)


def render_conf(unit: ValidUnit) -> str:
    """hosted-engine.conf text: header comment, one key=value per line, LF, final newline."""
    text = load_template(CONF_TEMPLATE).render(entries=unit.entries)
    if not text.endswith("\n"):
        text += "\n"
    return text
