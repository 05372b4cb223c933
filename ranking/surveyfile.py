"""The survey file a BPS admin uploads to fit a PMT model (docs/ranking.md, "Fitting from a survey file").

A CSV, UTF-8, one row per household: `cluster` (the sampling cluster, e.g. a village; any text),
`consumption` (per-capita consumption, a positive number) and one column per feature, named by the
feature's name in FEATURE_CATALOGUE (the default model's features over REGSOSEK22-K variables,
ranking/crosswalk.py) and holding the feature's value for the household (0/1 for an indicator). An
empty feature cell is a missing value (it takes the column's median when fitting); other columns
are ignored. Commas separate columns; a file whose header has semicolons and no comma (Excel with
Indonesian settings) is read with semicolons and decimal commas.

Reading and checking only; nothing here touches the database. Problems are Indonesian sentences
naming the line and column, never a cell's value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from ranking import accuracy, crosswalk
from ranking.accuracy import FloatArray, IntArray
from ranking.fitting import dependent_columns

CLUSTER: Final = "cluster"
CONSUMPTION: Final = "consumption"
# Under the 12 MB request limit of the proxy in docs/operations.md; a larger survey needs both raised.
MAX_BYTES: Final = 10 * 1024 * 1024
MAX_PROBLEMS: Final = 20
MIN_FOLDS: Final = 2
MAX_FOLDS: Final = 20

# Every feature a fitted model may use, by name, in the order of the default model.
FEATURE_CATALOGUE: Final[dict[str, dict[str, Any]]] = {
    str(entry.feature["name"]): entry.feature for entry in crosswalk.ENTRIES
}


class SurveyFileError(ValueError):
    """The file cannot be fitted; `problems` lists the reasons (Indonesian, line and column named)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SurveyRows:
    consumption: FloatArray
    clusters: IntArray  # 0..n_clusters-1, in the clusters' order (numeric if every cluster is a whole number)
    features: FloatArray  # rows x features, NaN where the cell was empty
    feature_names: tuple[str, ...]
    sha256: str

    @property
    def rows(self) -> int:
        return int(self.consumption.size)

    @property
    def cluster_count(self) -> int:
        return int(np.unique(self.clusters).size)


def template_header() -> str:
    """The header line of a file with every feature of the catalogue."""
    return ",".join([CLUSTER, CONSUMPTION, *FEATURE_CATALOGUE]) + "\r\n"


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise SurveyFileError([_("Berkas kosong.")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SurveyFileError(
            [_("Baris %(line)s: berkas bukan teks UTF-8; simpan ulang sebagai CSV UTF-8.") % {"line": line}]
        ) from None


def _number(text: str, decimal_comma: bool) -> float | None:
    """The cell as a finite number, None if it is not one."""
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, text: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(text)
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.items:
            extra = [_("… dan %(n)s masalah lain.") % {"n": self.more}] if self.more else []
            raise SurveyFileError(self.items + extra)


def _cluster_keys(clusters: list[str]) -> npt.NDArray[Any]:
    """Whole-number clusters sort as numbers (so folds are those of `fitting.group_folds` over the
    same numbers), any other as text."""
    try:
        return np.array([int(cluster) for cluster in clusters], dtype=np.int64)
    except ValueError:
        return np.array(clusters, dtype=str)


def read_survey(raw: bytes, *, features: Sequence[str] | None = None) -> SurveyRows:
    """Read a survey file. `features`: the feature columns to read, in catalogue order (None: every
    catalogue feature the header has). Raises SurveyFileError listing the problems (at most
    MAX_PROBLEMS): too large, empty, not UTF-8, a missing or repeated column, a row with the wrong
    number of cells, an empty cluster, a consumption that is not a positive number, a feature cell
    that is not a number, a feature column without any value."""
    if len(raw) > MAX_BYTES:
        raise SurveyFileError(
            [_("Berkas terlalu besar: paling banyak %(mib)s MiB.") % {"mib": MAX_BYTES // (1024 * 1024)}]
        )
    text = _decode(raw)
    first_line = text.split("\n", 1)[0]
    semicolons = ";" in first_line and "," not in first_line
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if semicolons else ",")
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error:
        raise SurveyFileError([_("Baris 1: tajuk kolom tidak dapat dibaca sebagai CSV.")]) from None
    problems = _Problems()
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    for name in repeated:
        problems.add(_('Baris 1: kolom "%(column)s" muncul lebih dari sekali.') % {"column": name})
    for name in (CLUSTER, CONSUMPTION):
        if name not in header:
            problems.add(_('Baris 1: kolom "%(column)s" tidak ada.') % {"column": name})
    if features is None:
        chosen = [name for name in FEATURE_CATALOGUE if name in header]
        if not chosen:
            problems.add(_("Baris 1: tidak ada kolom fitur; nama kolom fitur ada di templat."))
    else:
        unknown = [name for name in features if name not in FEATURE_CATALOGUE]
        for name in unknown:
            problems.add(_('Fitur "%(feature)s" tidak dikenal.') % {"feature": name})
        chosen = [name for name in FEATURE_CATALOGUE if name in features]
        for name in chosen:
            if name not in header:
                problems.add(_('Baris 1: kolom fitur "%(column)s" tidak ada.') % {"column": name})
    problems.raise_any()
    position = {name: header.index(name) for name in [CLUSTER, CONSUMPTION, *chosen]}
    clusters: list[str] = []
    consumption: list[float] = []
    values: list[list[float]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.add(
                    _("Baris %(line)s: %(found)s kolom, tajuk punya %(expected)s.")
                    % {"line": line, "found": len(cells), "expected": len(header)}
                )
                continue
            cluster = cells[position[CLUSTER]].strip()
            if not cluster:
                problems.add(_('Baris %(line)s, kolom "%(column)s": kosong.') % {"line": line, "column": CLUSTER})
            spent = _number(cells[position[CONSUMPTION]].strip(), semicolons)
            if spent is None or spent <= 0:
                problems.add(
                    _('Baris %(line)s, kolom "%(column)s": harus angka lebih dari 0.')
                    % {"line": line, "column": CONSUMPTION}
                )
            row: list[float] = []
            for name in chosen:
                cell = cells[position[name]].strip()
                value = math.nan if cell == "" else _number(cell, semicolons)
                if value is None:
                    problems.add(_('Baris %(line)s, kolom "%(column)s": bukan angka.') % {"line": line, "column": name})
                    value = math.nan
                row.append(value)
            clusters.append(cluster)
            consumption.append(spent or math.nan)
            values.append(row)
    except csv.Error:
        problems.add(_("Baris %(line)s: tidak dapat dibaca sebagai CSV.") % {"line": reader.line_num})
    problems.raise_any()
    if not consumption:
        raise SurveyFileError([_("Berkas tidak berisi baris data, hanya tajuk.")])
    matrix = np.array(values, dtype=np.float64).reshape(len(values), len(chosen))
    for index, name in enumerate(chosen):
        if np.isnan(matrix[:, index]).all():
            problems.add(_('Kolom "%(column)s": tidak ada satu pun nilai.') % {"column": name})
    problems.raise_any()
    _labels, inverse = np.unique(_cluster_keys(clusters), return_inverse=True)
    return SurveyRows(
        consumption=np.array(consumption, dtype=np.float64),
        clusters=inverse.astype(np.int64),
        features=matrix,
        feature_names=tuple(chosen),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def check_fittable(survey: SurveyRows, *, folds: int, poor_share: float | None, poverty_line: float | None) -> None:
    """Refuse what the fit cannot do: fewer clusters than folds, features that are collinear with
    the intercept or with each other (a singular design), a poverty rule under which nobody or
    everybody is poor. Raises SurveyFileError."""
    problems: list[str] = []
    if survey.cluster_count < folds:
        problems.append(
            _("Hanya %(found)s klaster; validasi silang %(k)s lipatan butuh setidaknya %(k)s klaster.")
            % {"found": survey.cluster_count, "k": folds}
        )
    if survey.rows <= len(survey.feature_names) + 1:
        problems.append(
            _("Hanya %(rows)s baris untuk %(n)s fitur: butuh lebih banyak baris daripada fitur.")
            % {"rows": survey.rows, "n": len(survey.feature_names)}
        )
    else:
        for index in dependent_columns(survey.features):
            problems.append(
                _(
                    'Kolom "%(column)s": kolinear (konstan, atau kombinasi linear kolom sebelumnya); '
                    "matriks singular. Hapus fitur ini."
                )
                % {"column": survey.feature_names[index]}
            )
    line = (
        poverty_line
        if poverty_line is not None
        else accuracy.poverty_line(
            survey.consumption, share=poor_share if poor_share is not None else accuracy.POOR_SHARE
        )
    )
    poor = accuracy.poor_flags(survey.consumption, line=line)
    if poor.all() or not poor.any():
        problems.append(_("Dengan garis kemiskinan ini semua atau tidak satu pun baris miskin."))
    if problems:
        raise SurveyFileError(problems)
