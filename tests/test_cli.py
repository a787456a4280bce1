"""The command line's own decisions, made without building anything."""

from harmreport import cli


def children(*argv) -> list[list[str]]:
    """The commands a parallel build would run, one per edition."""
    args = cli.parse_args(list(argv))
    requests = cli.requests_from(args)
    return [cli._one_edition_command(request, args, len(requests)) for request in requests]


def test_the_pdf_is_begun_beside_the_figures_only_with_a_core_to_spare(monkeypatch):
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert all("--cores-taken" in command for command in children("--all"))  # 2 at once
    assert not any("--cores-taken" in command for command in children("--all", "--jobs", "1"))
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 8)
    assert not any("--cores-taken" in command for command in children("--year", "2015", "2017"))
    taken = cli.requests_from(cli.parse_args(["--year", "2015", "--cores-taken"]))
    assert taken[0].spare_core is False
    assert cli.requests_from(cli.parse_args(["--year", "2015"]))[0].spare_core
