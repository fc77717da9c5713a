"""unstuck.cost.estimate: where token counts and volumes come from, and the documents, without the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from unstuck.cost.estimate import (
    APPROXIMATED_NOTE,
    NO_ONE_OFF_NOTE,
    Pricing,
    choose_models,
    cost_report,
    distill_report,
    request_volume,
    token_counts,
)
from unstuck.cost.traffic import Traffic, read_traffic
from unstuck.errors import ConfigError
from unstuck.schemas import validate

PRICING = Pricing(api_input_price=2.5, api_output_price=10.0, small_model_hourly=1.2, throughput=40.0)


def traffic(**columns: list[object]) -> Traffic:
    frame = pd.DataFrame({"line": [1, 2], "input": ["abcdefgh", "abcd"], "output": ["yes", "no"], **columns})
    return Traffic(Path("t.jsonl"), frame, 2, (), "prompt", "response", None, None)


def test_given_token_counts_win_and_say_so_over_a_traffic_file() -> None:
    assert token_counts(tokens_in=800, tokens_out=150) == token_counts(None, tokens_in=800.0, tokens_out=150.0)
    given = token_counts(traffic(), tokens_in=800, tokens_out=150)
    assert (given.tokens_in, given.tokens_out, given.source) == (800.0, 150.0, "given")
    assert given.note is not None and "not from the traffic file" in given.note
    assert token_counts(tokens_in=800, tokens_out=150).note is None


def test_measured_counts_then_the_text_approximation() -> None:
    measured = token_counts(traffic(tokens_in=[10.0, 30.0], tokens_out=[1.0, 3.0]))
    assert (measured.tokens_in, measured.tokens_out, measured.source, measured.note) == (20.0, 2.0, "measured", None)
    # 8 and 4 characters: 2 and 1 tokens (1 token per 4 characters); 'yes'/'no' one token each
    approximated = token_counts(traffic())
    assert (approximated.tokens_in, approximated.tokens_out) == (1.5, 1.0)
    assert approximated.source == "approximated" and approximated.note == APPROXIMATED_NOTE
    # one count given, the other measured: measured; the other from text: approximated
    assert token_counts(traffic(tokens_out=[1.0, 3.0]), tokens_in=5).source == "measured"
    mixed = token_counts(traffic(tokens_in=[10.0, 30.0]))
    assert (mixed.tokens_in, mixed.tokens_out, mixed.source) == (20.0, 1.0, "approximated")


def test_no_token_counts_and_no_volume_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="No token counts"):
        token_counts(tokens_in=800)
    with pytest.raises(ConfigError, match="No request volume"):
        request_volume(growth=0.3)


def test_the_volume_is_the_series_given_or_compound_growth() -> None:
    series = request_volume(requests=1, volumes=[100, 250.5])
    assert series.series == (100.0, 250.5) and series.to_dict() == {
        "source": "series",
        "requests": 100.0,
        "growth": None,
        "months": 2,
    }
    growth = request_volume(requests=1000, growth=0.5, months=3)
    assert growth.series == pytest.approx((1000, 1500, 2250)) and growth.source == "growth"


def test_the_cost_report_of_hand_checked_numbers() -> None:
    document = cost_report(PRICING, request_volume(requests=50_000, growth=0.3), tokens_in=800, tokens_out=150)
    validate(document, "cost-1")
    cost = document["cost"]
    # (800 x 2.50 + 150 x 10) / 1e6 = $0.0035 a request; one $1.20 instance 730 hours a month
    assert cost["api"]["cost_per_request"] == pytest.approx(0.0035)
    assert cost["months"][0]["api"] == pytest.approx(175) and cost["months"][0]["small_model"] == pytest.approx(876)
    assert cost["break_even"]["month"] == 11 and cost["cascade"] is None
    assert document["notes"] == [NO_ONE_OFF_NOTE] and document["traffic"] is None
    priced = Pricing(**{**PRICING.__dict__, "engineering_days": 2, "daily_rate": 500, "budget": 200})
    document = cost_report(priced, request_volume(volumes=[50_000]), tokens_in=800, tokens_out=150, coverage=0.5)
    assert document["notes"] == [] and document["cost"]["small_model"]["one_off"] == 1000
    # 876 + 0.5 x 175 + the one-off 1,000 in month 1
    assert document["cost"]["months"][0]["cascade"] == pytest.approx(876 + 87.5 + 1000)
    assert document["cost"]["budget_crossing"] is None


def test_an_unknown_throughput_is_a_config_error_outside_distill() -> None:
    unknown = Pricing(api_input_price=1, api_output_price=1, small_model_hourly=1)
    with pytest.raises(ConfigError, match="throughput is unknown"):
        cost_report(unknown, request_volume(requests=10), tokens_in=1, tokens_out=1)


def test_the_models_chosen_for_distillation() -> None:
    assert choose_models([" TFIDF", "finetune", "tfidf"]) == (["tfidf", "finetune"], {})
    chosen, skipped = choose_models(None)
    assert chosen[0] == "tfidf" and set(chosen[1:]) | set(skipped) == {"minilm"}
    with pytest.raises(ConfigError, match="Unknown small model\\(s\\) in --models: bert"):
        choose_models(["tfidf", "bert"])
    with pytest.raises(ConfigError, match="\\(none\\)"):
        choose_models([""])


def planted_traffic(path: Path) -> Traffic:
    """600 requests whose label is told by their words, 5 % flipped."""
    rng = random.Random(0)
    words = {"positive": ["great", "wonderful", "superb", "lovely"], "negative": ["awful", "boring", "bad", "dull"]}
    with path.open("w") as handle:
        for _ in range(600):
            label = rng.choice(["positive", "negative"])
            text = " ".join(rng.choice(words[label]) for _ in range(3))
            if rng.random() < 0.05:
                label = "negative" if label == "positive" else "positive"
            handle.write(json.dumps({"prompt": text, "response": label}) + "\n")
    return read_traffic(path)


def test_the_distill_report_prices_the_cascade_only_when_it_can(tmp_path: Path) -> None:
    log = planted_traffic(tmp_path / "t.jsonl")
    plain = distill_report(log, models=["tfidf"], quality_floor=0.9, notes=["first"])
    validate(plain, "cost-1")
    assert plain["cost"] is None and plain["notes"] == ["first"]
    assert plain["distill"]["best_model"] == "tfidf"
    priced = distill_report(
        log, models=["tfidf"], quality_floor=0.9, pricing=PRICING, volume=request_volume(requests=50_000)
    )
    cascade = priced["distill"]["models"][0]["cascade"]["test"]["coverage"]
    assert priced["cost"]["cascade"]["coverage"] == cascade
    assert priced["cost"]["small_model"]["throughput"] == 40.0
    assert priced["cost"]["small_model"]["throughput_source"] == "given"
    assert priced["notes"] == [APPROXIMATED_NOTE]
    measured = distill_report(
        log,
        models=["tfidf"],
        quality_floor=0.9,
        pricing=Pricing(api_input_price=2.5, api_output_price=10, small_model_hourly=1.2),
        volume=request_volume(requests=50_000),
        tokens_in=100,
        tokens_out=2,
    )
    assert measured["cost"]["small_model"]["throughput_source"] == "measured"
    assert measured["cost"]["api"]["tokens_source"] == "given"
    assert [n.split(" ")[0] for n in measured["notes"]] == ["Token", "Throughput"]
