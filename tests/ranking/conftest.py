from __future__ import annotations

import pytest

from ranking.fitting import Evaluation, evaluate
from ranking.survey import Survey, load_survey


@pytest.fixture(scope="session")
def survey() -> Survey:
    return load_survey()


@pytest.fixture(scope="session")
def evaluation(survey: Survey) -> Evaluation:
    # Fitting and cross-validating takes about a second: once per session.
    return evaluate(survey)
