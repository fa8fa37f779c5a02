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


def test_development_docs_count_the_corpus_as_it_is():
    corpus = os.path.join(ROOT, "tests", "corpus")
    refused = len([name for name in os.listdir(corpus) if name.endswith(".conf")])
    accepted = len([name for name in os.listdir(os.path.join(corpus, "accepted"))
                    if name.endswith(".conf")])
    with open(os.path.join(ROOT, "docs", "development.md")) as stream:
        text = " ".join(stream.read().split())
    assert ("a corpus of {} malformed units in `tests/corpus/` and {} accepted ones in "
            "`tests/corpus/accepted/`".format(refused, accepted)) in text


LINK = re.compile(r"\]\(([^)\s]+)\)")


def github_anchor(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, blanks to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    with open(path, encoding="utf-8") as stream:
        text = re.sub(r"^```.*?^```", "", stream.read(), flags=re.M | re.S)
    return {github_anchor(line.lstrip("#")) for line in text.splitlines()
            if re.match(r"#{1,6} ", line)}


def test_links_between_the_documents_lead_somewhere():
    """README and docs/*.md link each other by relative path and heading anchor."""
    documents = ["README.md"] + [os.path.join("docs", name)
                                 for name in os.listdir(os.path.join(ROOT, "docs"))
                                 if name.endswith(".md")]
    checked = 0
    for name in documents:
        with open(os.path.join(ROOT, name), encoding="utf-8") as stream:
            text = stream.read()
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(ROOT, os.path.dirname(name), path)) \
                if path else os.path.join(ROOT, name)
            assert os.path.exists(resolved), "{}: {} leads nowhere".format(name, target)
            if anchor:
                assert anchor in anchors(resolved), "{}: no heading for #{}".format(
                    name, anchor)
            checked += 1
    assert checked >= 10


USER_PAGES = ["README.md", os.path.join("docs", "engine.md"),
              os.path.join("docs", "development.md"), os.path.join("docs", "benchmarks.md")]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEX_WORD = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")


def test_user_pages_cite_no_issue_numbers_or_commit_hashes():
    """A reader has neither this project's tracker nor its history: facts carry their date
    and the command that produced them instead."""
    for name in USER_PAGES:
        with open(os.path.join(ROOT, name), encoding="utf-8") as stream:
            text = UUID.sub("<uuid>", stream.read())
        assert re.findall(r"\b[Ii]ssues? \d+", text) == [], name
        assert HEX_WORD.findall(text) == [], name
