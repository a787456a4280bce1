"""The command line's own decisions, made without building anything."""

import sys

from harmreport import cli, editions, interrupts, notebooks
from harmreport.interrupts import Terminated

WORKER_COMMAND = cli._worker_command


def workers(monkeypatch, tmp_path, *argv) -> list[list[str]]:
    """The commands a parallel build starts, one per process (each run as `python -c pass`)."""
    commands = []

    def record(share, args, at_once):
        commands.append(WORKER_COMMAND(share, args, at_once))
        return [sys.executable, "-c", "pass"]

    monkeypatch.setattr(cli, "_worker_command", record)
    assert cli.main([*argv, "--out", str(tmp_path)]) == 0
    return commands


def years_of(command: list[str]) -> list[str]:
    start = command.index("--year") + 1
    return command[start : command.index("--out")]


def test_editions_are_shared_among_one_process_a_core(monkeypatch, tmp_path):
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    commands = workers(monkeypatch, tmp_path, "--all")
    assert len(commands) == 2
    built = sorted(year for command in commands for year in years_of(command))
    assert built == sorted(str(year) for year in editions.all_editions())
    assert all("--in-turn" in command for command in commands)
    three = workers(monkeypatch, tmp_path, "--all", "--jobs", "3")
    assert [len(years_of(command)) for command in three] == [2, 1, 1]
    for jobs in ("1", "0"):  # one process an edition, one at a time
        one = workers(monkeypatch, tmp_path, "--all", "--jobs", jobs)
        assert [len(years_of(command)) for command in one] == [1] * 4


def test_the_pdf_is_begun_beside_the_figures_only_with_a_core_to_spare(monkeypatch, tmp_path):
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert all("--cores-taken" in command for command in workers(monkeypatch, tmp_path, "--all"))
    one = workers(monkeypatch, tmp_path, "--all", "--jobs", "1")
    assert not any("--cores-taken" in command for command in one)
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 8)
    two = workers(monkeypatch, tmp_path, "--year", "2015", "2017")
    assert not any("--cores-taken" in command for command in two)
    taken = cli.requests_from(cli.parse_args(["--year", "2015", "--cores-taken"]))
    assert taken[0].spare_core is False
    assert cli.requests_from(cli.parse_args(["--year", "2015"]))[0].spare_core


def test_editions_built_in_turn_stop_at_an_interruption(monkeypatch):
    """One process builds its share in turn: a failure goes on to the next, Ctrl-C stops."""
    built = []

    def build_one(request, force, index):
        built.append((request.year, notebooks.keep_for_next_build))
        return {2015: 2, 2017: cli.EXIT_INTERRUPTED}.get(request.year, 0)

    monkeypatch.setattr(cli, "_build_one", build_one)
    monkeypatch.setattr(notebooks, "keep_for_next_build", False)
    assert cli.main(["--year", "2015", "2017", "2020", "--in-turn", "--no-index"]) == 130
    assert built == [(2015, True), (2017, True)]
    built.clear()
    # Each build but the last keeps its kernel for the next; the last stops its own.
    assert cli.main(["--year", "2015", "2020", "--in-turn", "--no-index"]) == 2
    assert built == [(2015, True), (2020, False)]


def test_an_interruption_between_two_editions_is_reported_not_raised(monkeypatch, capsys):
    built = []
    monkeypatch.setattr(cli, "_build_one", lambda request, *_, **__: built.append(request) or 0)

    def interrupted():
        raise Terminated  # as SIGTERM raises it (Ctrl-C's KeyboardInterrupt would stop pytest)

    monkeypatch.setattr(cli, "_give_back_memory", interrupted)
    assert cli.main(["--year", "2015", "2017", "--in-turn", "--no-index"]) == 130
    assert len(built) == 1
    assert "interrupted: any edition not reported published" in capsys.readouterr().err


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
    monkeypatch.setattr(cli, "_worker_command", lambda *_: next(commands))
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert cli.main(["--all", "--out", str(tmp_path)]) == 4
    first = " ".join(str(year) for year in editions.all_editions()[::2])
    assert f"error: the process building {first} was killed (signal 9: Killed)" in (
        capsys.readouterr().err
    )
    assert (tmp_path / "index.html").is_file()  # the other share's editions are listed
