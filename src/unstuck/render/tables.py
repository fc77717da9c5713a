"""Tables every renderer shares that belong to no one check: the example rows a finding carries.

A check's own tables are declared in its module (:func:`unstuck.registry.shows`) as
:class:`~unstuck.view.Table`\\ s of already-formatted text; the HTML and Markdown
renderers only lay them out. Example rows are capped at :data:`~unstuck.view.MAX_ROWS`
per table so a 100k-row report stays small; the JSON report keeps everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from unstuck.view import MAX_ROWS, Table, cell_text, pct

if TYPE_CHECKING:
    from unstuck.findings import Finding

__all__ = ["MAX_ROWS", "Table", "example_table", "pct"]


def example_table(finding: Finding) -> Table | None:
    """The example rows a finding carries (``evidence["examples"]``: ``[{row, column: value, ...}]``), or None."""
    examples = finding.evidence.get("examples")
    if not isinstance(examples, (list, tuple)) or not examples or not all(isinstance(e, Mapping) for e in examples):
        return None
    columns: list[str] = []
    for example in examples:
        columns += [str(k) for k in example if str(k) not in columns]
    columns = columns[:9]
    rows = [[cell_text(example.get(c)) for c in columns] for example in examples[:MAX_ROWS]]
    return Table(tuple(columns), rows, caption="Example rows.")
