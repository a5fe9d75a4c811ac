"""Urban villages: the buildings' irregularity phases in from form 0.3 to 0.5, so the cell score has
no step where irregularity starts being measured (it jumped from 0.29 to 0.12 at form 0.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from urbanrisk.screens.urban_villages import (
    CANDIDATE_FORM,
    EVIDENCE_BONUS,
    FULL_WEIGHT_FORM,
    IRREGULAR_FLOOR,
    cluster_factors,
    village_score,
)


def _score(form: float, irregularity: float, evidence: float = 0.0) -> float:
    return float(village_score(pd.Series([form]), pd.Series([irregularity]), pd.Series([evidence])).iloc[0])


def test_regular_rows_at_form_029_and_031_by_hand():
    # 0.29: irregularity not measured (NaN), the form score stands
    assert _score(0.29, np.nan) == pytest.approx(0.29)
    # 0.31, perfectly regular rows: weight (0.31 - 0.3) / 0.2 = 0.05, kept 1 - 0.05 x 0.6 = 0.97
    assert _score(0.31, 0.0) == pytest.approx(0.31 * 0.97)  # 0.3007, not 0.31 x 0.4 = 0.124
    assert _score(0.31, 1.0) == pytest.approx(0.31)  # a jumble keeps all of it
    assert _score(0.31, 0.0, evidence=1.0) == pytest.approx(0.31 * 0.97 + EVIDENCE_BONUS)
    # from FULL_WEIGHT_FORM on, as before the ramp: regular rows keep IRREGULAR_FLOOR of their form
    assert (CANDIDATE_FORM, FULL_WEIGHT_FORM, IRREGULAR_FLOOR) == (0.3, 0.5, 0.4)
    assert _score(0.6, 0.0) == pytest.approx(0.6 * 0.4)
    assert _score(0.6, 0.5) == pytest.approx(0.6 * 0.7)


@pytest.mark.parametrize("irregularity", [0.0, 0.3, 1.0])
def test_the_score_has_no_step_across_the_candidate_form(irregularity):
    form = pd.Series(np.round(np.arange(0.0, 1.0005, 0.001), 3))
    measured = pd.Series(np.where(form >= CANDIDATE_FORM, irregularity, np.nan))
    score = village_score(form, measured, pd.Series(0.0, index=form.index)).to_numpy()
    # the steepest the ramp makes it: |d score / d form| <= 1 + (1 - floor) x 0.5 / 0.2 = 2.5
    assert np.abs(np.diff(score)).max() <= 0.0025 + 1e-12


def test_the_factors_say_what_share_a_cluster_on_the_ramp_keeps():
    row = {
        "coverage": 0.4,
        "mean_footprint_m2": 200.0,
        "buildings_per_ha": 25.0,
        "no_street_access_share": 0.2,
        "alleys_m_per_ha": 100.0,
        "form_score": 0.4,  # half way up the ramp
        "irregularity": 0.5,
        "neighbour_misalignment": 0.5,
        "size_variation": 0.5,
        "shape_irregularity": 0.5,
        "name_evidence": True,
        "confidence": 0.54,
    }
    # kept 1 - 0.5 x 0.6 x 0.5 = 0.85
    assert "keeps 85% of the form score" in cluster_factors(row)
