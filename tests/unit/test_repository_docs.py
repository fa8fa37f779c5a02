"""Everything a reader of this repository needs is in it: no reference to files outside
(another checkout's paths, absolute paths of a development machine), and every document a
comment cites by name and section is under docs/reference/."""

import os
import re
import subprocess

import pytest

from .helpers import SRC

ROOT = os.path.dirname(SRC)
REFERENCE = os.path.join(ROOT, "docs", "reference")
# Built from parts, so this file does not match itself.
OUTSIDE = re.compile("|".join((r"\.\./" + "shared", "/" + "work/", "shared" + "/reference")))
CITED = re.compile(r"\b([\w-]+\.md) §")
TEXT = (".py", ".md", ".cfg", ".ini", ".toml", ".txt", ".yml", ".yaml", ".in", ".j2", ".conf",
        ".sh", "run", "with-pythons")


def repository_files():
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, stdout=subprocess.PIPE, universal_newlines=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return [name for name in listed.stdout.splitlines()
            if name.endswith(TEXT) and os.path.isfile(os.path.join(ROOT, name))
            and not name.startswith("tests/corpus/")]


def test_nothing_points_outside_the_repository():
    found = []
    for name in repository_files():
        with open(os.path.join(ROOT, name), encoding="utf-8", errors="replace") as stream:
            for number, line in enumerate(stream, 1):
                if OUTSIDE.search(line):
                    found.append("{}:{}: {}".format(name, number, line.strip()))
    assert found == []


def test_every_cited_document_is_in_docs_reference():
    cited = set()
    for name in repository_files():
        with open(os.path.join(ROOT, name), encoding="utf-8", errors="replace") as stream:
            cited.update(CITED.findall(stream.read()))
    assert cited, "the code cites the reference documents"
    missing = sorted(doc for doc in cited if not os.path.isfile(os.path.join(REFERENCE, doc)))
    assert missing == []


def test_readme_counts_the_corpus_as_it_is():
    corpus = os.path.join(ROOT, "tests", "corpus")
    refused = len([name for name in os.listdir(corpus) if name.endswith(".conf")])
    accepted = len([name for name in os.listdir(os.path.join(corpus, "accepted"))
                    if name.endswith(".conf")])
    with open(os.path.join(ROOT, "README.md")) as stream:
        text = " ".join(stream.read().split())
    assert ("a corpus of {} malformed units in `tests/corpus/` and {} accepted ones in "
            "`tests/corpus/accepted/`".format(refused, accepted)) in text
