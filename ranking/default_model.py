"""The shipped default PMT model: fitted on the Alatas et al. (2012) survey through the crosswalk.

`python manage.py fit_pmt_model` writes it to DEFAULT_MODEL_JSON; `load_pmt_model` stores it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ranking import crosswalk
from ranking.documents import FORMAT, ModelDocument
from ranking.fitting import evaluate
from ranking.survey import DATA_DIR, SURVEY_CSV, SURVEY_SHA256, Survey, load_survey

DEFAULT_MODEL_JSON: Final = DATA_DIR / "model.json"
VERSION: Final = "alatas2012-regsosek22k-1"
LABEL: Final = "estimated on Alatas et al. 2012 data, not BPS's official weights (which are not published)"
TITLE: Final = f"PMT {VERSION}: {LABEL}"

CITATION: Final = (
    "Alatas, Banerjee, Hanna, Olken and Tobias (2012), 'Targeting the Poor: Evidence from a Field Experiment in "
    "Indonesia', American Economic Review 102(4): 1206-1240, https://doi.org/10.1257/aer.102.4.1206; replication "
    "data https://doi.org/10.7910/DVN/M7SKQZ"
)
LICENCE: Final = (
    "The original data set is reported as CC0 1.0 by a third party; NOT verified by this project "
    "(ranking/data/alatas2012/README.md)"
)


def build_default_model(survey: Survey | None = None, *, path: Path | None = None) -> ModelDocument:
    """Fit the default model on the survey file and describe it as a model document."""
    survey = survey or load_survey(path or SURVEY_CSV)
    evaluation = evaluate(survey)
    features = [
        {**entry.feature, "coefficient": round(float(coefficient), 8)}
        for entry, coefficient in zip(crosswalk.ENTRIES, evaluation.fit.coefficients, strict=True)
    ]
    return ModelDocument(
        version=VERSION,
        title=TITLE,
        form=crosswalk.FORM,
        form_version=crosswalk.FORM_VERSION,
        target="log of per-capita monthly consumption, thousand rupiah (2008 prices)",
        intercept=round(evaluation.fit.intercept, 8),
        features=features,
        provenance={
            "label": LABEL,
            "format": FORMAT,
            "data": CITATION,
            "data_file": "ranking/data/alatas2012/alatas2012_households.csv",
            "data_sha256": survey.sha256,
            "data_sha256_expected": SURVEY_SHA256,
            "licence": LICENCE,
            "method": (
                "OLS of log per-capita consumption on the crosswalk's features over every household of the survey "
                "with its characteristics (all three arms); missing values take the column median; "
                "accuracy cross-validated in 10 folds of whole villages (ranking/fitting.py)"
            ),
            "crosswalk": [
                {"feature": entry.feature["name"], "survey_columns": list(entry.columns), "note": entry.note}
                for entry in crosswalk.ENTRIES
            ],
            "fitted_by": "python manage.py fit_pmt_model",
        },
        accuracy=evaluation.report,
    )
