"""Each check's section as format-neutral tables, shared by the HTML and Markdown renderers.

A table builder takes the report (for the metric's units) and one check's
section (``report.sections[check]``) and returns :class:`Table`\\ s of
already-formatted text; the HTML and Markdown renderers only lay them out. A
builder returns an empty list when the section holds nothing worth a table
(no leaked row, no duplicate, ...): the check's findings still show, and the
renderers name it among the checks with nothing to report. Adding one is one
function::

    @tables("my_check")
    def _my_check(report: Report, data: dict[str, Any]) -> list[Table]:
        return [Table(("column", "score"), [(r["column"], f"{r['score']:.2f}") for r in data["top"]])]

Example rows are capped at :data:`MAX_ROWS` per table so a 100k-row report
stays small; the JSON report keeps everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unstuck.render.layout import fmt_gap, fmt_interval, fmt_value

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report

__all__ = ["MAX_ROWS", "TABLES", "Table", "example_table", "pct", "tables"]

#: Example rows one table shows at most.
MAX_ROWS = 10


@dataclass(frozen=True)
class Table:
    """Headers and rows of text; ``numeric`` columns align right; ``highlight`` marks one row (the best)."""

    headers: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    numeric: tuple[int, ...] = ()
    caption: str = ""
    highlight: int | None = None


TableBuilder = Callable[["Report", dict[str, Any]], list[Table]]

#: check name → its table builder.
TABLES: dict[str, TableBuilder] = {}

SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}
GAP_LABELS = {
    "avoidable_bias": ("avoidable bias", "train − human-level"),
    "variance": ("variance", "train-dev − train"),
    "data_mismatch": ("data mismatch", "dev − train-dev"),
    "dev_overfit": ("dev overfitting", "test − dev"),
}


def tables(check: str) -> Callable[[TableBuilder], TableBuilder]:
    """Register the decorated function as the table builder of ``report.sections[check]``."""

    def register(function: TableBuilder) -> TableBuilder:
        TABLES[check] = function
        return function

    return register


def pct(value: float | None, digits: int = 1) -> str:
    """A share as a percentage (``12.5%``); ``—`` if None."""
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("—" if value is None else str(value))


def example_table(finding: Finding) -> Table | None:
    """The example rows a finding carries (``evidence["examples"]``: ``[{row, column: value, ...}]``), or None."""
    examples = finding.evidence.get("examples")
    if not isinstance(examples, list) or not examples or not all(isinstance(e, dict) for e in examples):
        return None
    columns: list[str] = []
    for example in examples:
        columns += [str(k) for k in example if str(k) not in columns]
    columns = columns[:9]
    rows = [[_cell(example.get(c)) for c in columns] for example in examples[:MAX_ROWS]]
    return Table(tuple(columns), rows, caption="Example rows.")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


# --- the builders ------------------------------------------------------------------------------------------


@tables("decomposition")
def _decomposition(report: Report, data: dict[str, Any]) -> list[Table]:
    counts = data.get("n") or {}
    levels = [
        (
            label,
            fmt_value(report, report.errors.get(key)),
            fmt_interval(report, report.intervals.get(key)),
            _n(counts.get(key)) if key in counts else "",
        )
        for key, label in SPLIT_LABELS.items()
        if report.errors.get(key) is not None
    ]
    components = data.get("components") or {}
    missing = data.get("missing") or {}
    dominant = set(data.get("dominant") or ())
    gaps = []
    for name, (label, formula) in GAP_LABELS.items():
        comp = components.get(name)
        if comp is None:
            gaps.append((label, formula, "—", "", missing.get(name, "not computable")))
            continue
        said = comp.get("verdict") or ("bottleneck" if name in dominant else "within noise")
        verdict = "BOTTLENECK" if said == "bottleneck" else said
        if (comp.get("between") or [""])[0] == "dev" and name == "variance":
            label, formula = "variance + mismatch", "dev − train"
        gaps.append(
            (label, formula, fmt_gap(report, comp["value"]), fmt_interval(report, comp["interval"], gap=True), verdict)
        )
    return [
        Table(("split", str(report.metric.get("name", "error")), "95% interval", "rows"), levels, numeric=(1, 2, 3)),
        Table(("gap", "between", "size", "95% interval", "verdict"), gaps, numeric=(2, 3)),
    ]


@tables("baselines")
def _baselines(report: Report, data: dict[str, Any]) -> list[Table]:
    rungs = data.get("rungs") or []
    if not rungs:
        return []
    splits = [s for s in ("train", "train_dev", "dev", "test") if s in report.splits]
    rows = [
        [
            r["name"].replace("_", " ") + (" ★" if r["name"] == data.get("best") else ""),
            *(fmt_value(report, r["errors"].get(s)) for s in splits),
            f"{r.get('fit_seconds', 0.0):.1f}",
        ]
        for r in rungs
    ]
    best = next((i for i, r in enumerate(rungs) if r["name"] == data.get("best")), None)
    return [
        Table(
            ("model", *(SPLIT_LABELS[s] for s in splits), "fit s"),
            rows,
            numeric=tuple(range(1, 2 + len(splits))),
            caption="★ best on dev.",
            highlight=best,
        )
    ]


@tables("learning_curve")
def _learning_curve(report: Report, data: dict[str, Any]) -> list[Table]:
    forecast = data.get("forecast") or {}
    out = []
    if forecast.get("now") is not None:
        n_train = int(data.get("n_train", 0))
        level = round(100 * float(forecast.get("level", 0.9)))
        rows = [["today", f"{n_train:,}", fmt_value(report, forecast.get("now")), "", ""]]
        for key, factor in (("2x", 2), ("10x", 10)):
            if forecast.get(f"at_{key}") is not None:
                rows.append(
                    [
                        f"{factor}× data",
                        f"{factor * n_train:,}",
                        fmt_value(report, forecast[f"at_{key}"]),
                        fmt_interval(report, forecast.get(f"interval_{key}")),
                        fmt_gap(report, forecast.get(f"gain_{key}"), signed=False),
                    ]
                )
        out.append(
            Table(
                ("training data", "rows", "forecast dev error", f"{level}% interval", "gain"),
                rows,
                numeric=(1, 2, 3, 4),
            )
        )
    per_class = data.get("per_class") or []
    if per_class:
        out.append(
            Table(
                ("class", "dev share", "dev error", "forecast at 2×", "its part of the 2× gain"),
                [
                    [
                        str(c["class"]),
                        pct(c.get("dev_share")),
                        fmt_value(report, c.get("error")),
                        fmt_value(report, c.get("forecast_2x")),
                        fmt_gap(report, c.get("contribution_2x"), signed=False),
                    ]
                    for c in per_class[:MAX_ROWS]
                ],
                numeric=(1, 2, 3, 4),
                caption="The classes that carry most dev errors: which data would pay.",
            )
        )
    return out


@tables("leakage")
def _leakage(report: Report, data: dict[str, Any]) -> list[Table]:
    pairs = [p for p in data.get("pairs") or [] if p.get("shared_rows")]
    if not pairs:
        return []
    rows = [
        [
            " ↔ ".join(SPLIT_LABELS.get(s, s) for s in p["splits"]),
            _n(p.get("rows_in_second")),
            _n(p.get("exact")),
            _n(p.get("near")),
            _n(p.get("shared_rows")),
            pct(p.get("share")),
            pct(p["by_chance"], 3) if p.get("by_chance") is not None else "—",
        ]
        for p in pairs
    ]
    out = [
        Table(
            ("splits", "rows", "exact copies", "near copies", "shared rows", "share", "expected by chance"),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
        )
    ]
    effect = data.get("error_without_leaked")
    if isinstance(effect, dict) and effect:
        effect_rows = [
            [
                SPLIT_LABELS.get(str(s), str(s)),
                _n(e.get("n_leaked")),
                fmt_value(report, e.get("all")),
                fmt_value(report, e.get("without")),
            ]
            for s, e in effect.items()
            if isinstance(e, dict) and "without" in e
        ]
        if effect_rows:
            out.append(
                Table(
                    ("split", "leaked rows", "error", "error without the leaked rows"),
                    effect_rows,
                    numeric=(1, 2, 3),
                    caption="A drop without the leaked rows means the score was inflated.",
                )
            )
    return out


@tables("duplicates")
def _duplicates(report: Report, data: dict[str, Any]) -> list[Table]:
    splits = data.get("splits") or {}
    rows = [
        [
            SPLIT_LABELS.get(s, s),
            _n(i.get("rows")),
            _n(i.get("duplicate_rows")),
            _n(i.get("near_duplicate_rows")),
            pct(i.get("duplicate_share")),
            _n(i.get("conflict_rows")),
        ]
        for s, i in splits.items()
        if i.get("duplicate_rows") or i.get("near_duplicate_rows") or i.get("conflict_rows")
    ]
    if not rows:
        return []
    return [
        Table(
            ("split", "rows", "exact duplicates", "near duplicates", "share", "rows with conflicting labels"),
            rows,
            numeric=(1, 2, 3, 4, 5),
        )
    ]


@tables("labels")
def _labels(report: Report, data: dict[str, Any]) -> list[Table]:
    splits = {s: i for s, i in (data.get("splits") or {}).items() if isinstance(i, dict) and i.get("flagged")}
    if not splits:
        return []
    out = [
        Table(
            ("split", "rows", "estimated wrong labels", "flagged rows", "share of model errors on flagged rows"),
            [
                [
                    SPLIT_LABELS.get(s, s),
                    _n(i.get("rows")),
                    pct(i.get("noise_rate")),
                    _n(i.get("flagged")),
                    pct(i["share_of_errors_on_flagged"]) if "share_of_errors_on_flagged" in i else "—",
                ]
                for s, i in splits.items()
            ],
            numeric=(1, 2, 3, 4),
        )
    ]
    ranked = [(s, r) for s, i in splits.items() for r in i.get("ranked") or []]
    if ranked:
        ranked.sort(key=lambda item: item[1].get("quality", 1.0))
        out.append(
            Table(
                ("split", "row", "given label", "likely label", "label quality"),
                [
                    [
                        SPLIT_LABELS.get(s, s),
                        _cell(r.get("row")),
                        _cell(r.get("given")),
                        _cell(r.get("likely")),
                        f"{r.get('quality', 0.0):.3f}",
                    ]
                    for s, r in ranked[:MAX_ROWS]
                ],
                numeric=(4,),
                caption="Most likely label errors first (cleanlab label quality, 0 = surely wrong).",
            )
        )
    return out


@tables("imbalance")
def _imbalance(report: Report, data: dict[str, Any]) -> list[Table]:
    classes = data.get("classes") or []
    if not any(c.get("rare") for c in classes):
        return []
    rows = [
        [
            _cell(c.get("class")) + (" (rare)" if c.get("rare") else ""),
            _n(c.get("train_support")),
            pct(c.get("train_share")),
            _n(c.get("dev_support")),
            fmt_value(report, c.get("dev_error")),
            fmt_interval(report, c.get("dev_error_interval")),
            fmt_value(report, c.get("dev_error_rest")),
        ]
        for c in sorted(classes, key=lambda c: c.get("train_share", 0.0))[:MAX_ROWS]
    ]
    return [
        Table(
            ("class", "train rows", "train share", "dev rows", "dev error", "95% interval", "dev error, others"),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
            caption=f"Largest class / smallest class: {data.get('imbalance_ratio', 0.0):.1f}×.",
        )
    ]


@tables("target_leakage")
def _target_leakage(report: Report, data: dict[str, Any]) -> list[Table]:
    tested = data["tested"]
    if not tested:
        return []
    measure = str(data["measure"])
    return [
        Table(
            ("column", f"{measure} alone", "dev error alone", "dev error of the others", "leak"),
            [
                [
                    str(t["column"]),
                    f"{t['score']:.3f}",
                    fmt_value(report, t["alone_dev_error"]),
                    fmt_value(report, t["rest_dev_error"]),
                    "yes" if t["leak"] else "no",
                ]
                for t in tested[:MAX_ROWS]
            ],
            numeric=(1, 2, 3),
            caption=(
                f"A column that alone scores {measure} ≥ {data['near']:g} is refitted against: it is a leak when its "
                f"dev error is at most {data['dominance']:.0%} of all the other columns' together."
            ),
        )
    ]


@tables("shift")
def _shift(report: Report, data: dict[str, Any]) -> list[Table]:
    features = data.get("features") or []
    if not data.get("shifted_features") or not features:
        return []
    keys = [k for k in ("column", "test", "statistic", "q_value", "gain_share") if k in features[0]]
    rows = [[_cell(f.get(k)) if k != "gain_share" else pct(f.get(k)) for k in keys] for f in features[:MAX_ROWS]]
    return [
        Table(
            tuple(k.replace("_", " ") for k in keys),
            rows,
            caption=f"Train vs dev: domain-classifier AUC {data.get('auc', 0.5):.2f}; "
            f"{data.get('shifted_features')} of {data.get('features_tested')} features differ.",
        )
    ]


@tables("per_class")
def _per_class(report: Report, data: dict[str, Any]) -> list[Table]:
    classes = data.get("classes") or []
    if not classes:
        return []
    ordered = sorted(classes, key=lambda c: -c.get("errors", 0))
    out = [
        Table(
            ("class", "train rows", "dev rows", "dev errors", "dev error", "95% interval", "share of all dev errors"),
            [
                [
                    _cell(c.get("class")),
                    _n(c.get("train_support")),
                    _n(c.get("dev_support")),
                    _n(c.get("errors")),
                    fmt_value(report, c.get("error")),
                    fmt_interval(report, c.get("error_interval")),
                    pct(c.get("share_of_errors")),
                ]
                for c in ordered[:MAX_ROWS]
            ],
            numeric=(1, 2, 3, 4, 5, 6),
            caption=f"{len(classes)} classes, most dev errors first." if len(classes) > MAX_ROWS else "",
        )
    ]
    confusions = data.get("confusions") or []
    if confusions:
        out.append(
            Table(
                ("true class", "predicted as", "dev rows", "share of dev errors"),
                [
                    [_cell(c.get("true")), _cell(c.get("predicted")), _n(c.get("count")), pct(c.get("share_of_errors"))]
                    for c in confusions[:5]
                ],
                numeric=(2, 3),
            )
        )
    return out


@tables("slices")
def _slices(report: Report, data: dict[str, Any]) -> list[Table]:
    found = data.get("slices") or []
    if not found:
        return []
    rows = [
        [
            str(s.get("rule")),
            _n(s.get("rows")),
            pct(s.get("share")),
            fmt_value(report, s.get("metric", s.get("error"))),
            fmt_value(report, s.get("rest_metric", s.get("rest_error"))),
            f"{s['q_value']:.1e}" if s.get("q_value") is not None else "—",
            fmt_gap(report, s.get("expected_gain"), signed=False),
        ]
        for s in found[:MAX_ROWS]
    ]
    return [
        Table(
            ("slice", "dev rows", "share of dev", "error in slice", "error elsewhere", "q-value", "gain if fixed"),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
            caption=f"Rules over {data.get('hypotheses', '?')} candidate slices, false discovery rate "
            f"{data.get('alpha', 0.05):g} (Benjamini–Hochberg).",
        )
    ]


@tables("error_tags")
def _error_tags(report: Report, data: dict[str, Any]) -> list[Table]:
    tags = data.get("tags") or []
    if not tags:
        return []
    rows = [
        [
            str(t["tag"]),
            _n(t.get("count")),
            pct(t.get("share")),
            fmt_interval(report, t.get("share_interval")) if report.metric.get("name") == "error_rate" else "",
            fmt_gap(report, t.get("ceiling"), signed=False),
            t.get("lever") or "",
        ]
        for t in tags[:MAX_ROWS]
    ]
    return [
        Table(
            ("tag", "errors", "share of examined errors", "95% interval", "ceiling: gain at most", "lever"),
            rows,
            numeric=(1, 2, 3, 4),
            caption=f"{data.get('examined_errors', 0)} of {data.get('dev_errors', 0)} dev errors examined; "
            f"tags cover {pct(data.get('coverage'), 0)} of them. The ceiling is what fixing every error of "
            "that kind would gain at most.",
        )
    ]


@tables("training_log")
def _training_log(report: Report, data: dict[str, Any]) -> list[Table]:
    rows = []
    for run in data.get("runs") or []:
        summary = run.get("summary") or {}
        unit = summary.get("step_unit", "step")
        for key, label in (
            ("train_loss", "train loss"),
            ("dev_loss", "dev loss"),
            ("train_error", "train error"),
            ("dev_error", "dev error"),
        ):
            s = summary.get(key)
            if not isinstance(s, dict):
                continue
            best = s.get("min_step")
            rows.append(
                [
                    str(run.get("name", "run")),
                    label,
                    f"{s.get('first', 0.0):.4g}",
                    f"{s.get('last', 0.0):.4g}",
                    f"{s.get('min', s.get('last', 0.0)):.4g}",
                    f"{unit} {best:g}" if isinstance(best, (int, float)) else "",
                    ", ".join(k.replace("_", " ") for k in run.get("verdicts") or []) or "healthy",
                ]
            )
    if not rows:
        return []
    return [Table(("run", "curve", "first", "last", "lowest", "lowest at", "verdict"), rows, numeric=(2, 3, 4))]


@tables("capacity")
def _capacity(report: Report, data: dict[str, Any]) -> list[Table]:
    out = []
    for name, label in (("capacity", "capacity"), ("learning_rate", "learning rate")):
        sweep = data.get(name)
        if not isinstance(sweep, dict) or not sweep.get("settings"):
            continue
        settings = sweep["settings"]
        rows = [
            [
                f"{s['value']:g}"
                + (" (default)" if s["value"] == sweep.get("default") else "")
                + (f" (dropped at {s['dropped_at']:,} rows)" if s.get("dropped_at") else ""),
                fmt_value(report, s.get("train_error")),
                fmt_value(report, s.get("dev_error")),
            ]
            for s in settings
        ]
        best = next((i for i, s in enumerate(settings) if s["value"] == sweep.get("best")), None)
        note = f"{label.capitalize()} sweep of the {str(data.get('model', 'best')).replace('_', ' ')} baseline on "
        note += f"{sweep.get('rows', 0):,} training rows, one variable at a time; bold: best on dev."
        if sweep.get("at_edge"):
            note += " The best is at an end of the range: the optimum may lie beyond it."
        out.append(
            Table(
                (str(sweep.get("parameter", name)), "train error", "dev error"),
                rows,
                numeric=(1, 2),
                caption=note,
                highlight=best,
            )
        )
    return out
