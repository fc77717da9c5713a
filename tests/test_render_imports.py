"""Re-rendering a saved report imports the modules of the checks it holds, not every check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from render_helpers import SNAPSHOTS

SCRIPT = """
import json, sys
from unstuck.findings import Report
from unstuck.render.html import render_html
from unstuck.render.markdown import render_markdown
document = json.loads(sys.stdin.read())
report = Report.from_dict(document)
render_html(report)
render_markdown(report)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("unstuck.checks."))))
"""


#: Modules of the checks package that register no check: a held check may import them.
HELPERS = {"unstuck.checks.curve_parts", "unstuck.checks.label_results"}


def test_rendering_a_saved_report_imports_only_the_checks_it_holds(tmp_path: Path) -> None:
    document = json.loads((SNAPSHOTS / "report.json").read_text(encoding="utf-8"))
    document["sections"].pop("mystery")
    document["findings"] = [f for f in document["findings"] if f["check"] != "mystery"]
    held = {f["check"] for f in document["findings"]} | set(document["sections"])
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], input=json.dumps(document), capture_output=True, text=True, check=True
    )
    imported = set(json.loads(done.stdout)) - HELPERS
    assert imported == {f"unstuck.checks.{name}" for name in held}, done.stdout
    assert "unstuck.checks.shift" not in imported  # a check the report does not hold
