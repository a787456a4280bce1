"""The command line's own decisions, made without building anything."""

import json
import re
import sys

import pytest

from harmreport import cli
from harmreport.pipeline import interrupts, worker
from harmreport.pipeline.interrupts import Terminated
from harmreport.pipeline.session import EXIT_INTERRUPTED, BuildSession
from harmreport.project import editions

WORKER_COMMAND = worker.command


def workers(monkeypatch, tmp_path, *argv) -> list[dict]:
    """The shares a parallel build gives its workers, one per process (each run as
    `python -c pass`)."""
    shares = []

    def record(requests, force):
        shares.append(json.loads(WORKER_COMMAND(requests, force)[-1]))
        return [sys.executable, "-c", "pass"]

    monkeypatch.setattr(worker, "command", record)
    assert cli.main([*argv, "--out", str(tmp_path)]) == 0
    return shares


def test_editions_are_shared_among_one_process_a_core(monkeypatch, tmp_path):
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    shares = workers(monkeypatch, tmp_path, "--all")
    assert len(shares) == 2
    built = sorted(year for share in shares for year in share["years"])
    assert built == sorted(editions.all_editions())
    assert {share["out"] for share in shares} == {str(tmp_path)}
    three = workers(monkeypatch, tmp_path, "--all", "--jobs", "3")
    count = len(editions.all_editions())
    assert [len(share["years"]) for share in three] == [len(range(i, count, 3)) for i in range(3)]
    for jobs in ("1", "0"):  # one process an edition, one at a time
        one = workers(monkeypatch, tmp_path, "--all", "--jobs", jobs)
        assert [len(share["years"]) for share in one] == [1] * count


def test_the_command_line_shows_only_what_people_use(capsys):
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    shown = capsys.readouterr().out.split("options:")[1]
    options = set(re.findall(r"--[a-z-]+", shown))
    assert options == {
        "--help", "--year", "--all", "--force", "--jobs", "--data", "--out", "--format",
        "--cell-timeout", "--base-url", "--verify",
    }  # fmt: skip
    for hidden in ("--in-turn", "--no-index", "--cores-taken"):
        with pytest.raises(SystemExit):
            cli.parse_args([hidden])


def test_a_relative_output_folder_is_made_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (request,) = cli.requests_from(cli.parse_args(["--year", "2024", "--out", "site"]))
    assert request.out_root == tmp_path / "site"


def test_a_worker_builds_its_share_in_turn_and_stops_at_an_interruption(monkeypatch, tmp_path):
    """One worker builds its share in one session: a failure goes on to the next, Ctrl-C
    stops; the session knows how many builds are still to come (its kernel is kept for
    all but the last)."""
    built = []

    def build(session, request, force, index):
        session.builds_left -= 1
        built.append((request.year, session.builds_left, index))
        return {2015: 2, 2017: EXIT_INTERRUPTED}.get(request.year, 0)

    monkeypatch.setattr(BuildSession, "build", build)
    share = {
        "out": str(tmp_path),
        "formats": ["html"],
        "cell_timeout": 5,
        "base_url": "",
        "force": False,
    }
    assert worker.main([json.dumps({**share, "years": [2015, 2017, 2020]})]) == 130
    assert built == [(2015, 2, False), (2017, 1, False)]
    built.clear()
    assert worker.main([json.dumps({**share, "years": [2015, 2020]})]) == 2
    assert built == [(2015, 1, False), (2020, 0, False)]


def test_an_interruption_between_two_editions_is_reported_not_raised(monkeypatch):
    built = []

    def build(session, request, force, index):
        if built:
            raise Terminated  # as SIGTERM raises it (Ctrl-C's would stop pytest)
        built.append(request)
        return 0

    monkeypatch.setattr(BuildSession, "build", build)
    share = {
        "years": [2015, 2017],
        "out": "/x",
        "formats": [],
        "cell_timeout": 5,
        "base_url": "",
        "force": 0,
    }
    assert worker.main([json.dumps(share)]) == 130
    assert len(built) == 1


def test_a_signal_python_ignores_prints_no_traceback(monkeypatch):
    """Raised in a __del__ method or a weakref callback, a signal is remembered (the build
    stops at its next stage): it must not reach the hook that prints 'Exception ignored in'
    and a traceback. Other such errors still do."""
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: reported.append(unraisable))

    class Raises:
        def __init__(self, error):
            self.error = error

        def __del__(self):
            raise self.error

    with interrupts.handled():
        Raises(Terminated())  # collected at once: Python ignores what its __del__ raises
        Raises(ValueError())
    assert [type(unraisable.exc_value) for unraisable in reported] == [ValueError]


def test_a_process_killed_with_its_share_names_every_edition_of_it(monkeypatch, tmp_path, capsys):
    """Killed (out of memory, say), a process cannot tell which editions it left unbuilt."""
    suicide = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    commands = iter([[sys.executable, "-c", suicide], [sys.executable, "-c", "pass"]])
    monkeypatch.setattr(worker, "command", lambda *_: next(commands))
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert cli.main(["--all", "--out", str(tmp_path)]) == 4
    first = " ".join(str(year) for year in editions.all_editions()[::2])
    assert f"error: the process building {first} was killed (signal 9: Killed)" in (
        capsys.readouterr().err
    )
    assert (tmp_path / "index.html").is_file()  # the other share's editions are listed
