"""The ways a build can fail, each with the exit code the CLI returns."""


class BuildError(Exception):
    exit_code = 1

    def __init__(
        self, message: str, details: list[str] | None = None, everything: list[str] | None = None
    ):
        super().__init__(message)
        self.details = details or []  # what the console shows
        self.everything = everything or self.details  # what the log keeps: every problem


class InputError(BuildError):
    exit_code = 2


class DisclosureError(BuildError):
    exit_code = 3


class EnvironmentProblem(BuildError):
    exit_code = 4


class NotebookFailed(BuildError):
    exit_code = 5


class InternalError(BuildError):
    """A bug, not the user's input: one line on the console, the traceback in the log."""

    exit_code = 1
