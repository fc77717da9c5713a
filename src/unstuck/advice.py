"""From findings to ranked interventions.

Each finding with a ``lever`` proposes that lever; some levers bring their
method-given alternatives (avoidable bias → a bigger model, and also training
longer or another architecture — and, for images, text, audio and video, a
pretrained model; mismatch → reduce it, and also targeted data). Proposals of
the same lever are merged (its findings joined, its expected gain the largest
of theirs: the gains overlap, so they are not added).

Gates (the method's rules, applied before ranking):

* ``more_data`` only when a learning curve forecasts that more data helps beyond
  its uncertainty (the finding ``learning_curve.more_data``); never when the
  curve says the data is saturated;
* ``more_compute`` only when nothing cheaper is proposed;
* a critical finding (leakage) outranks everything.

Ranking, first key first:

1. severity of the strongest finding (critical before warning before info);
2. a lever a finding names directly before an alternative it implies;
3. expected gain, largest first (direct levers only; alternatives are ordered
   by cost, as below); gains within 20% of each other are a tie — measured gains
   carry noise, and between near-equal gains the cheaper kind of fix comes first;
4. the method's priority order (``LEVERS``: fix data → tune learning rate and
   size → change architecture → fine-tune → more compute) breaks ties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cmp_to_key

from unstuck.findings import LEVERS, SEVERITIES, Finding, Intervention, NextExperiment
from unstuck.metrics import Metric

__all__ = [
    "ALSO",
    "ARCHITECTURE_FOR",
    "PLAYBOOK",
    "VERIFIED_BY",
    "Play",
    "bottleneck_of",
    "failure_notice",
    "rank_interventions",
    "reconcile",
    "unverified_by",
]


@dataclass(frozen=True)
class Play:
    """What to do for a lever, and the one variable its next experiment changes."""

    action: str
    hypothesis: str
    change: str


PLAYBOOK: dict[str, Play] = {
    "fix_leakage": Play(
        "Remove the rows or columns that leak between splits or from the target, then re-measure",
        "the current numbers are optimistic; without the leak dev error rises to its honest level",
        "the leaked rows/columns (dropped); model and settings unchanged",
    ),
    "fix_labels": Play(
        "Review and correct the labels flagged as likely wrong, starting with the lowest label quality",
        "correcting the flagged labels lowers dev error",
        "the labels of the flagged rows; model and settings unchanged",
    ),
    "fix_pipeline": Play(
        "Check the data pipeline end to end: joins, label alignment, preprocessing at train vs serve time",
        "a pipeline bug hides the signal; once fixed, the model beats the trivial baseline",
        "the pipeline step under suspicion (one at a time)",
    ),
    "targeted_data": Play(
        "Collect or label more examples of the kind the model fails on (the weak classes or slices)",
        "more examples of the failing kind lower its error",
        "the amount of training data for the targeted slice only",
    ),
    "reduce_mismatch": Play(
        "Make training data look like dev data: add dev-like examples to train, synthesise them, "
        "or reweight train towards dev",
        "training on dev-like data closes the train-dev → dev gap",
        "the composition of the training set (share of dev-like data)",
    ),
    "tune_learning_rate": Play(
        "Sweep the learning rate over a wide log-spaced range (e.g. ×0.1 … ×10)",
        "a better learning rate lowers the error",
        "the learning rate only",
    ),
    "bigger_model": Play(
        "Train a bigger model (more layers/units, or more leaves and trees for boosting)",
        "more capacity lowers training error towards human level",
        "model size only (e.g. num_leaves 31 → 127, or width ×2)",
    ),
    "train_longer": Play(
        "Train longer (more epochs or boosting rounds), with early stopping on dev",
        "longer training lowers training error",
        "the number of epochs / boosting rounds only",
    ),
    "regularize": Play(
        "Regularise: stronger weight decay or L2, dropout, early stopping, data augmentation",
        "regularisation closes the gap between train and unseen rows",
        "the regularisation strength only (e.g. L2 ×10)",
    ),
    "tune_hyperparameters": Play(
        "Tune the remaining hyperparameters one at a time around the current setting",
        "a better setting lowers dev error",
        "one hyperparameter at a time",
    ),
    "more_data": Play(
        "Collect more training data of the same kind",
        "more data of the same distribution lowers dev error",
        "training-set size only",
    ),
    "bigger_dev_set": Play(
        "Get a bigger dev set (and stop tuning on the test set)",
        "dev decisions on a bigger dev set carry over to test",
        "dev-set size only",
    ),
    "change_architecture": Play(
        "Try an architecture suited to the data type (trees for tables, CNNs for images, transformers for text/audio)",
        "a better-suited architecture lowers training error",
        "the model family only, with its default settings",
    ),
    "finetune_pretrained": Play(
        "Fine-tune a pretrained model for this data type instead of training from scratch",
        "pretrained representations lower error with the same data",
        "the starting weights (pretrained vs random) only",
    ),
    "redefine_task": Play(
        "Revisit the task definition: labels, target, or what inputs are available",
        "a better-posed task is learnable from these inputs",
        "the task definition only",
    ),
    "more_compute": Play(
        "Spend more compute (bigger runs) only after the cheaper levers are exhausted",
        "more compute lowers error once data and model are right",
        "the compute budget only",
    ),
}

#: Levers that a finding naming the key lever also implies, per the method.
ALSO: dict[str, tuple[str, ...]] = {
    "bigger_model": ("train_longer", "change_architecture"),
    "reduce_mismatch": ("targeted_data",),
}

#: Data types whose avoidable bias also calls for a pretrained model.
PRETRAINED_TYPES = ("image", "text", "audio", "video")

#: What "change the architecture" means for each data type (structured when unknown).
ARCHITECTURE_FOR: dict[str, str] = {
    "structured": "for tables, gradient boosting before deep networks: tune tree depth/leaves and feature "
    "engineering; try a tabular deep net only after that",
    "time_series": "gradient boosting on lag and calendar features, then a sequence model (temporal CNN/transformer)",
    "image": "a convolutional network or vision transformer suited to the image size",
    "text": "a pretrained transformer encoder instead of bag-of-words models",
    "audio": "a sequence model on spectrograms (CNN/transformer), or a pretrained audio model",
    "video": "a spatio-temporal network (per-frame CNN + temporal model)",
}

#: What a verdict can rest on (a finding's ``evidence["rests_on"]``), and which finding undermines it:
#: a model that carries no signal undermines every verdict read from its errors; train labels that
#: a corroborated label check finds wrong undermine every gap measured with them (train error,
#: train-dev error), because a wrong label counts as a model error there.
UNDERMINED_BY: dict[str, tuple[str, str]] = {
    "model": ("signal.none", "the model carries no signal, so its errors measure nothing"),
    "train_labels": ("labels.train", "measured with train's labels, which the label check finds wrong"),
}

#: The checks that measure or vouch for each basis: when one of them failed (crashed), nothing verified
#: the basis, so no verdict may rest on it. (A check that did not apply is not a failure: the verdicts it
#: would have vouched for are then judged by the checks that did run.)
VERIFIED_BY: dict[str, tuple[str, ...]] = {"model": ("signal", "decomposition"), "train_labels": ("labels",)}

CURVE_SAYS_MORE = "learning_curve.more_data"
CURVE_SAYS_SATURATED = "learning_curve.saturated"

_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass
class _Candidate:
    lever: str
    findings: list[Finding]
    direct: bool

    @property
    def severity_rank(self) -> int:
        return min(_SEVERITY_RANK[f.severity] for f in self.findings)

    @property
    def gain(self) -> float | None:
        gains = [f.expected_gain for f in self.findings if f.expected_gain is not None]
        return max(gains) if gains else None

    @property
    def lead(self) -> Finding:
        """The finding that most strongly supports this lever."""
        return min(self.findings, key=lambda f: (_SEVERITY_RANK[f.severity], -(f.expected_gain or 0.0)))


def rank_interventions(
    findings: Sequence[Finding], metric: Metric, *, data_type: str = "structured"
) -> tuple[Intervention, ...]:
    """Turn findings into merged, gated, ranked interventions (rank 1 first).

    ``data_type`` (from the project card; tables by default) shapes the
    architecture advice and whether a pretrained model is proposed.
    """
    ids = {f.id for f in findings}
    candidates: dict[str, _Candidate] = {}
    for finding in findings:
        if finding.lever is None:
            continue
        implied = ALSO.get(finding.lever, ())
        if finding.lever == "bigger_model" and data_type in PRETRAINED_TYPES:
            implied = (*implied, "finetune_pretrained")
        for lever, direct in ((finding.lever, True), *((a, False) for a in implied)):
            entry = candidates.setdefault(lever, _Candidate(lever, [], direct))
            entry.findings.append(finding)
            entry.direct = entry.direct or direct
    if CURVE_SAYS_SATURATED in ids or CURVE_SAYS_MORE not in ids:
        candidates.pop("more_data", None)
    if len(candidates) > 1:
        candidates.pop("more_compute", None)
    ordered = sorted(candidates.values(), key=cmp_to_key(_compare))
    return tuple(_intervention(rank, c, metric, data_type) for rank, c in enumerate(ordered, start=1))


#: Gains within this ratio of each other count as tied; the method's priority order decides.
GAIN_TIE_RATIO = 1.2


def _compare(a: _Candidate, b: _Candidate) -> int:
    """Negative when ``a`` ranks before ``b`` (see the module docstring)."""
    for key_a, key_b in ((a.severity_rank, b.severity_rank), (not a.direct, not b.direct)):
        if key_a != key_b:
            return -1 if key_a < key_b else 1
    if a.direct:
        gain_a, gain_b = a.gain or 0.0, b.gain or 0.0
        if max(gain_a, gain_b) > GAIN_TIE_RATIO * min(gain_a, gain_b):
            return -1 if gain_a > gain_b else 1
    return LEVERS.index(a.lever) - LEVERS.index(b.lever)


def reconcile(findings: Sequence[Finding], unverified: Mapping[str, str] | None = None) -> tuple[Finding, ...]:
    """Withdraw the verdicts whose evidence another finding undermines, or that nothing could verify.

    Evidence must agree before a verdict stands: a finding that rests on a measurement (its
    ``evidence["rests_on"]``: see :data:`UNDERMINED_BY`) keeps its numbers but loses its lever,
    bottleneck and gain, becomes information, and says why, when the finding that undermines
    that measurement is present with a lever (it is trusted), or when the check that verifies
    the measurement could not run (``unverified``: basis → why).
    """
    present = {f.id for f in findings if f.lever is not None}
    undermined = {basis: why for basis, (by, why) in UNDERMINED_BY.items() if by in present}
    undermined.update(unverified or {})
    out = []
    for finding in findings:
        reasons = [undermined[b] for b in finding.evidence.get("rests_on", ()) if b in undermined]
        if reasons and finding.lever is not None:
            finding = replace(
                finding,
                severity="info",
                lever=None,
                bottleneck=None,
                expected_gain=None,
                title=f"{finding.title} — not trusted: {'; '.join(reasons)}",
            )
        out.append(finding)
    return tuple(out)


def unverified_by(failed: Mapping[str, str]) -> dict[str, str]:
    """What the checks that failed (check name -> reason) leave unverified: basis -> why.

    The bases are those of :data:`VERIFIED_BY`; a finding may also name a check itself in its
    ``evidence["rests_on"]``, so each failed check is a basis too. The result is what
    :func:`reconcile` takes as ``unverified``.
    """
    out = {check: f"{check} could not run ({reason})" for check, reason in failed.items()}
    for basis, checks in VERIFIED_BY.items():
        broken = [c for c in failed if c in checks]  # the first to fail, in the order the checks ran
        if broken:
            out[basis] = out[broken[0]]
    return out


def failure_notice(check: str, reason: str, findings: Sequence[Finding]) -> str:
    """What a report says when ``check`` failed (``reason``): that its own findings are missing,
    and which verdicts of ``findings`` (before :func:`reconcile`) were withdrawn for resting on it."""
    bases = {check, *(basis for basis, checks in VERIFIED_BY.items() if check in checks)}
    withdrawn = [f.id for f in findings if f.lever is not None and bases & set(f.evidence.get("rests_on", ()))]
    said = f"{check} could not run ({reason}), so its own findings are missing"
    if withdrawn:
        said += f"; the verdicts resting on it are withdrawn ({', '.join(withdrawn)})"
    return said + ". Fix the cause named there (unstuck --debug shows the traceback) and run again."


def bottleneck_of(interventions: Sequence[Intervention]) -> str:
    """The bottleneck of the top-ranked intervention that names one, else ``"none"``."""
    return next((i.bottleneck for i in interventions if i.bottleneck), "none")


def _intervention(rank: int, candidate: _Candidate, metric: Metric, data_type: str) -> Intervention:
    play = PLAYBOOK[candidate.lever]
    lead = candidate.lead
    gain = candidate.gain
    why = lead.title if candidate.direct else f"Implied by: {lead.title}"
    action = play.action
    if candidate.lever == "change_architecture":
        action = f"Change the architecture: {ARCHITECTURE_FOR.get(data_type, ARCHITECTURE_FOR['structured'])}"
    hypothesis = play.hypothesis
    if gain is not None:
        hypothesis += f", by up to {metric.format_gap(gain)} of dev error"
    return Intervention(
        rank=rank,
        lever=candidate.lever,
        action=action,
        why=why,
        expected_gain=gain,
        findings=tuple(dict.fromkeys(f.id for f in candidate.findings)),
        next_experiment=NextExperiment(hypothesis=hypothesis, change=play.change),
        bottleneck=lead.bottleneck,
        expected_gain_note=""
        if gain is not None
        else "no finding behind this lever measures how much of the dev error it can remove",
    )
