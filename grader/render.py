"""Text the grader writes from the template files in grader/templates/.

Each folder is one kind of output with its own escaping, applied by the
environment to every `{{ value }}`, so no template can forget it: `html/`
pages are autoescaped; in `autograder/` shell scripts every value is
shell-quoted; `new/` (the assignment `grader new` writes) takes a slug that
was validated and a title that the manifest quotes with `toml_string`. An
undefined name is an error, never an empty string.
"""
import json
import shlex
import urllib.parse
from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def shell_quoted(value):
    """`{{ value }}` in a shell script: one word, whatever it holds."""
    return shlex.quote(str(value))


def toml_string(value):
    """A TOML basic string holding `value` (JSON's escapes are TOML's)."""
    return json.dumps(str(value), ensure_ascii=False)


def feedback_href(name):
    """The relative address of a submission's feedback page: its folder name percent-encoded, so
    a name such as `javascript:alert(1)` or `bob#2` stays a path, never a script or a fragment."""
    return urllib.parse.quote(name, safe="") + "/feedback.html"


def number(value):
    """A score as people write it: 2, 2.5, 0.25."""
    return f"{value:g}"


@lru_cache(maxsize=None)
def environment(kind):
    """One Jinja2 environment per folder of templates, made once: its escaping is the folder's."""
    options = {"html": {"autoescape": True}, "autograder": {"finalize": shell_quoted}, "new": {}}[kind]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / kind), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, **options)
    env.filters.update(toml_string=toml_string, feedback_href=feedback_href, number=number)
    return env


def render(kind, name, **values):
    """grader/templates/<kind>/<name>, filled in with `values`."""
    return environment(kind).get_template(name).render(**values)
