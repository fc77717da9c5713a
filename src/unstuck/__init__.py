"""unstuck: diagnose a stuck machine-learning project, then rank what to do next.

The public API is lazy: importing ``unstuck`` loads no heavy library, so that
``unstuck --help`` answers at once.

>>> import unstuck
>>> report = unstuck.diagnose("train.csv", dev="dev.csv", target="label")  # doctest: +SKIP
>>> report.bottleneck  # doctest: +SKIP
'variance'
"""

from __future__ import annotations

import logging
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("unstuck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

# A library configures no logging; this only keeps Python's last-resort handler from printing
# unstuck's warnings (a check that failed) when the application configured none. The CLI's
# --debug, or an application's own logging set-up, shows them.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CheckResult",
    "Finding",
    "Intervention",
    "Problem",
    "Report",
    "UnstuckError",
    "__version__",
    "check",
    "diagnose",
    "load_problem",
]

_EXPORTS = {
    "CheckResult": "unstuck.registry",
    "Finding": "unstuck.findings",
    "Intervention": "unstuck.findings",
    "Problem": "unstuck.problem",
    "Report": "unstuck.findings",
    "UnstuckError": "unstuck.errors",
    "check": "unstuck.registry",
    "diagnose": "unstuck.pipeline",
    "load_problem": "unstuck.pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'unstuck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


def _show_reports_in_ipython() -> None:
    """In IPython and Jupyter, display a ``Report`` as the HTML report.

    The report type knows no view; the display is registered here, by name, so that
    neither ``findings`` nor this module imports a renderer until a report is shown.
    Outside an IPython session this does nothing.
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    html = shell.display_formatter.formatters["text/html"]
    html.for_type_by_name("unstuck.findings", "Report", _report_html)


def _report_html(report: Any) -> str:
    from unstuck.render.html import render_fragment

    return render_fragment(report)


_show_reports_in_ipython()
