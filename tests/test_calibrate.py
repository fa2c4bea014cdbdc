"""eval.calibrate: the threshold rule on hand-made scores, and the test set is never read."""
from __future__ import annotations

import pytest

from eval import calibrate as C


def _rows(answerable, unanswerable):
    return ([{"source": "s", "kind": "a", "answerable": True, "score": x} for x in answerable]
            + [{"source": "s", "kind": "u", "answerable": False, "score": x} for x in unanswerable])


def test_threshold_refuses_at_most_the_allowed_share():
    answerable = [0.30, 0.35, 0.40, 0.50, 0.60, 0.62, 0.64, 0.66, 0.68, 0.70]
    rows = _rows(answerable, [0.10, 0.20, 0.33])
    assert C.choose_threshold(rows, 0.0) == 0.30  # refuses nothing answerable (score < t is refused)
    assert C.choose_threshold(rows, 0.1) == 0.35  # one of ten may be refused
    assert C.choose_threshold(rows, 0.2) == 0.40
    eff = C.effect(rows, 0.30)
    assert eff["false_refusals"] == 0.0 and eff["s:u"]["refused"] == 0.667
    assert C.effect(rows, 0.40)["false_refusals"] == 0.2
    with pytest.raises(C.CalibrationError):
        C.choose_threshold(_rows([], [0.1]), 0.02)


def test_threshold_rounds_down_to_the_grid():
    assert C.choose_threshold(_rows([0.2789, 0.5], []), 0.0) == 0.27
    assert C.choose_threshold(_rows([0.29, 0.5], []), 0.0) == 0.29


def test_the_frozen_test_set_is_refused(capsys):
    assert C.main(["--gold", str(C.TEST_GOLD), "--no-xquad"]) == 2
    assert "dev data only" in capsys.readouterr().err


def test_weights_change_only_by_a_margin():
    keys = [f"{s}/{w}" for s in C.SENTENCE_WEIGHTS for w in C.DENSE_WEIGHTS]
    results = {"ar": {k: 0.90 for k in keys}, "en": {k: 0.90 for k in keys}}
    results["ar"]["2.0/0.7"] = 0.915  # a gain of 0.0075 in the mean: within noise
    out = C.choose_weights(results, (1.0, 0.8, 1.0))
    assert out["chosen"] == {"sentence_weight": 1.0, "dense_weight": 0.8, "dense_weight_en": 1.0}
    assert out["best"] == {"sentence_weight": 2.0, "dense_weight": 0.7, "dense_weight_en": 0.6}  # first of the ties
    results["en"]["2.0/1.0"] = 0.92  # now +0.0175
    out = C.choose_weights(results, (1.0, 0.8, 1.0))
    assert out["chosen"] == {"sentence_weight": 2.0, "dense_weight": 0.7, "dense_weight_en": 1.0}
