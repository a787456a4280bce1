"""papermill's own engine, run on the edition's kernel through the client the build already
has open. papermill would open a client for each notebook, and a new client waits a quarter
of a second for the kernel's broadcasts to go quiet: three notebooks, most of a second.

Registered through papermill's documented engine interface (papermill_engines.register), it
relies on one thing beyond it: nbclient's NotebookClient.start_new_kernel_client, which
papermill's client calls while setting the kernel up, is overridden to return the open client.
If papermill or nbclient stop calling it, tests/test_notebooks.py's
test_notebooks_run_through_the_kernels_one_open_client fails (the manager there refuses to
make another client). papermill and nbclient are pinned exactly.

Imported (and registered as the engine "harmreport") when the first notebook runs."""

import logging

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

ENGINE = "harmreport"


class _OpenClient(PapermillNotebookClient):
    def __init__(self, nb_man, kernel_client, **kwargs):
        super().__init__(nb_man, **kwargs)
        self.open_client = kernel_client

    def start_new_kernel_client(self):
        self.kc = self.open_client
        return self.kc


class OpenClientEngine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        kernel_client=None,
        **kwargs,
    ):
        # As papermill's NBClientEngine, with the client handed over.
        kwargs.pop("input_path", None)
        client = _OpenClient(
            nb_man,
            kernel_client,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logging.getLogger("papermill"),
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        return client.execute()


papermill_engines.register(ENGINE, OpenClientEngine)
