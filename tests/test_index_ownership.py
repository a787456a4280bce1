"""OUT/index.html is owned and verified as an edition is: never overwritten when this tool did
not write it or it was changed by hand, made again when an edition goes, checked by --verify."""

import shutil

import pytest

from harmreport import cli
from harmreport.publishing import edition_index
from tests.conftest import BUILT, copy_of

pytestmark = pytest.mark.slow  # uses shared builds

MINE = "<!doctype html><title>Our own page</title>\n"


def run(*args) -> int:
    return cli.main([str(a) for a in args])


def test_an_index_the_build_did_not_write_is_never_overwritten(web_edition, tmp_path, capsys):
    out = copy_of(web_edition, tmp_path / "site")
    (out / "manifest.json").unlink()  # as if web staff had put their own page there
    (out / "index.html").write_text(MINE)
    shutil.rmtree(out / "2024")
    assert run("--year", 2024, "--format", "html", "--out", out) == 4
    assert "is not an index this tool wrote" in capsys.readouterr().err
    assert (out / "index.html").read_text() == MINE
    assert not (out / "2024").exists()  # refused before any work


@pytest.mark.ci
def test_a_hand_edited_index_is_refused_and_verify_names_it(published, capsys):
    out, _ = published
    edited = (out / "index.html").read_text() + "<!-- edited by hand -->\n"
    (out / "index.html").write_text(edited)
    assert run("--year", 2024, "--format", "html", "--out", out) == 4
    assert "was changed after the build wrote it" in capsys.readouterr().err
    assert (out / "index.html").read_text() == edited
    assert run("--year", 2024, "--verify", "--out", out) == 6
    assert "index.html (changed by hand)" in capsys.readouterr().err


@pytest.mark.ci
def test_an_edition_deleted_leaves_the_index_at_the_next_build(built, tmp_path):
    out = copy_of(built, tmp_path / "site")
    assert 'href="2015/index.html"' in (out / "index.html").read_text()
    shutil.rmtree(out / "2015")
    assert run("--year", 2024, "--out", out) == 0  # up to date: only the index is made again
    index = (out / "index.html").read_text()
    assert 'href="2015/index.html"' not in index and 'href="2024/index.html"' in index
    assert edition_index.index_differences(out) == []  # what --verify checks of it


def test_verify_names_an_index_made_from_other_editions(built, tmp_path):
    out = copy_of(built, tmp_path / "site")
    assert edition_index.index_differences(out) == []
    shutil.rmtree(out / str(BUILT[0]))
    assert (
        "lists editions as they were when it was written"
        in edition_index.index_differences(out)[0]
    )
