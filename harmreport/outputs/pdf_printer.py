"""The PDF printed on a thread of its own, so that WeasyPrint's slow start overlaps the
notebooks: imported while they run, and reading and styling the report while the figures are
drawn (on the kernel, another process)."""

import threading
import time
from pathlib import Path

from harmreport.project import editions

PRINTER_THREAD = "pdf-printer"


class Printer:
    """The PDF, printed on a thread of its own from the moment the statistics exist:
    WeasyPrint reads and styles the report while the last notebook draws the figures (on the
    kernel, another process), and waits for them where it first needs one."""

    def __init__(self, staging: Path, edition: editions.DataYear):
        self.staging, self.edition = staging, edition
        self.drawn, self.cancelled = threading.Event(), False
        self.thread, self.outcome = None, None
        self.figures_at = None  # when the figures were drawn: the PDF's own time starts there
        self.beside_figures = False  # begun before they were

    def load(self) -> None:
        """Import WeasyPrint (Pango, fonts: half a second) while the notebooks run."""
        threading.Thread(target=_import_weasyprint, daemon=True).start()

    def start(self, stats: dict) -> None:
        if not self.thread:
            self.beside_figures = not self.drawn.is_set()
            self.thread = threading.Thread(
                target=self._print, args=(stats,), name=PRINTER_THREAD, daemon=True
            )
            self.thread.start()

    def figures_drawn(self) -> None:
        if not self.drawn.is_set():
            self.figures_at = time.perf_counter()
        self.drawn.set()

    def warnings(self, stats: dict) -> list[str]:
        """WeasyPrint's warnings once the PDF is written; what stopped it, raised."""
        self.figures_drawn()
        self.start(stats)
        self.thread.join()
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def stop(self) -> None:
        if self.thread:
            self.cancelled = True  # figures not yet fetched will never come: printing stops
            self.drawn.set()
            self.thread.join()

    def _print(self, stats: dict) -> None:
        from harmreport.outputs import pdf, render

        try:
            html = render.render_html(stats, self.edition, self.staging, for_print=True)
            target = self.staging / "report.pdf"
            self.outcome = pdf.render_pdf(html, self.staging, target, self._wait)
        except BaseException as exc:  # raised in the build's thread by warnings()
            self.outcome = exc

    def _wait(self) -> None:
        self.drawn.wait()
        if self.cancelled:
            raise RuntimeError("the build stopped before the figures were drawn")


def _import_weasyprint() -> None:
    from harmreport.outputs import pdf, render  # noqa: F401 (the report's renderer, loaded beside WeasyPrint)

    pdf.load_printer()
