"""The crosswalk of the default PMT model: each feature over REGSOSEK22-K variables, the column of
the Alatas et al. (2012) survey file it is estimated from, and how the two differ.

Only survey columns that some REGSOSEK22-K question measures are used; the others (radio, DVD,
satellite dish, chicken, credit, the head's formal/informal work, links to village elites,
children in school by level) have no counterpart in the form and are left out of the model.
docs/ranking.md shows this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

FORM: Final = "regsosek22k"
FORM_VERSION: Final = "1"

# r415 (highest certificate held): primary = 1-5, junior secondary = 6-10, senior secondary or more = 11-22.
PRIMARY: Final = [1, 2, 3, 4, 5]
JUNIOR: Final = [6, 7, 8, 9, 10]
SENIOR_OR_MORE: Final = list(range(11, 23))


@dataclass(frozen=True)
class Entry:
    feature: dict[str, Any]
    # Survey column(s) the feature is estimated from; several are summed.
    column: str | tuple[str, ...]
    note: str = ""
    # Survey column whose value stands in where `column` is empty (see `note`).
    fill_from: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if isinstance(self.column, str) else self.column


def _code(name: str, of: str, variable: str, codes: list[int], label: str) -> dict[str, Any]:
    return {"name": name, "kind": "code_in", "of": of, "variable": variable, "codes": codes, "label": label}


def _yes(name: str, variable: str, label: str) -> dict[str, Any]:
    return _code(name, "family", variable, [1], label)


ENTRIES: Final = (
    # Housing (block III)
    Entry(
        _code("floor_not_earth", "family", "r303", [1, 2, 3, 4, 5, 6, 7, 9], "Floor not earth (303 ≠ 8)"),
        "tfloor",
        "survey: non-earth floor",
    ),
    Entry(
        _code("wall_masonry", "family", "r304", [1], "Masonry walls (304 = 1)"),
        "twall",
        "survey: brick or cement walls; 304 = 1 is masonry, plastered bamboo (2) is not counted",
    ),
    Entry(
        _code("roof_concrete_or_sheet", "family", "r305", [1, 3, 4], "Concrete, zinc or asbestos roof (305 = 1, 3, 4)"),
        "troof",
        "survey: concrete or corrugated roof; corrugated read as zinc and asbestos sheets; roof tiles (2) not counted",
    ),
    Entry(
        _code("water_clean", "family", "r306a", [1, 2, 3, 4, 5, 7], "Clean drinking water (306a = 1-5, 7)"),
        "water",
        "survey: clean drinking water; read as bottled, refill, piped, pump, protected well or spring; "
        "the form's distance to a septic tank (306b) is not used",
    ),
    Entry(
        _code("lighting_pln", "family", "r307a", [1, 2], "PLN electricity (307a = 1, 2)"),
        "lighting",
        "same concept; installed power (307b) is not in the survey",
    ),
    Entry(
        _code("cooks_with_firewood", "family", "r308", [10], "Cooks with firewood (308 = 10)"),
        "fcook",
        "same concept",
    ),
    Entry(
        _code("toilet_private", "family", "r309a", [1], "Own toilet, family only (309a = 1)"),
        "toilet",
        "survey: private toilet; the toilet type (309b) and disposal (310) are not in the survey",
    ),
    Entry(
        _code("owns_house", "family", "r301a", [1], "Owns the dwelling (301a = 1)"),
        "house",
        "survey: owns house privately; proof of ownership (301b) is not used",
    ),
    Entry(
        {
            "name": "floor_area_per_person",
            "kind": "derived",
            "derived": "floor_area_per_person",
            "label": "Floor area per person, m² (302 / household size)",
        },
        "pcfloor",
        "same concept; empty in 45 survey rows, filled with the median when fitting",
    ),
    # Members (block IV)
    Entry(
        {
            "name": "household_size",
            "kind": "derived",
            "derived": "household_size",
            "label": "Household size (members with 404 = 1, 4)",
        },
        "hhsize",
        "survey: household members; ours: family members living with the family (a family, not a household)",
    ),
    Entry(
        {
            "name": "household_size_sq",
            "kind": "derived",
            "derived": "household_size",
            "power": 2,
            "label": "Household size, squared",
        },
        "hhsize2",
    ),
    Entry(
        {"name": "head_age", "kind": "number", "of": "head", "variable": "r407", "label": "Head's age (407)"},
        "hhage",
        "same concept",
    ),
    Entry(
        {
            "name": "head_age_sq",
            "kind": "number",
            "of": "head",
            "variable": "r407",
            "power": 2,
            "label": "Head's age, squared",
        },
        "hhage2",
    ),
    Entry(_code("head_male", "head", "r405", [1], "Head is male (405 = 1)"), "hhmale", "same concept"),
    Entry(_code("head_married", "head", "r408", [2], "Head is married (408 = 2)"), "hhmarried", "same concept"),
    Entry(
        _code("head_primary", "head", "r415", PRIMARY, "Head's highest certificate: primary (415 = 1-5)"),
        "hheduc2",
        "survey: head's education elementary; ours: the highest certificate held (415)",
    ),
    Entry(
        _code("head_junior_secondary", "head", "r415", JUNIOR, "Head's highest certificate: junior secondary"),
        "hheduc3",
        "as above, 415 = 6-10",
    ),
    Entry(
        _code("head_senior_secondary", "head", "r415", SENIOR_OR_MORE, "Head's highest certificate: senior+"),
        "hheduc4",
        "as above, 415 = 11-22",
    ),
    Entry(
        _code("head_agriculture", "head", "r417", [1, 2, 3, 4, 5, 6], "Head works in agriculture (417 = 1-6)"),
        "hhsector1",
        "survey: sector of the head's work; ours: industry of the main job, asked only of those who worked",
    ),
    Entry(
        _code("head_industry", "head", "r417", [7, 8, 9, 10, 11], "Head works in industry (417 = 7-11)"),
        "hhsector2",
        "mining, manufacturing, utilities, construction",
    ),
    Entry(
        _code("head_services", "head", "r417", list(range(12, 27)), "Head works in services (417 = 12-26)"),
        "hhsector3",
        "trade and every other service",
    ),
    Entry(
        {
            "name": "children_0_4",
            "kind": "count_members",
            "variable": "r407",
            "min": 0,
            "max": 4,
            "label": "Members aged 0-4 (407)",
        },
        "age04",
        "same concept",
    ),
    Entry(
        {
            "name": "dependency_ratio",
            "kind": "derived",
            "derived": "dependency_ratio",
            "label": "Members under 15 or over 64 per member aged 15-64",
        },
        "depratio",
        "the survey's age bounds are not documented; 15-64 assumed. Empty in the survey when nobody is 15-64 "
        "(216 rows): the household size (= the number of dependents) stands in, as the feature does",
        fill_from="hhsize",
    ),
    Entry(
        _code(
            "any_member_primary_or_more",
            "any_member",
            "r415",
            PRIMARY + JUNIOR + SENIOR_OR_MORE,
            "Some member holds a primary certificate or higher (415 = 1-22)",
        ),
        ("higheduc2", "higheduc3", "higheduc4"),
        "survey: the highest education in the household, one indicator per level; their sums are the "
        "'some member has at least this level' indicators used here (the same information)",
    ),
    Entry(
        _code(
            "any_member_junior_or_more",
            "any_member",
            "r415",
            JUNIOR + SENIOR_OR_MORE,
            "Some member holds a junior secondary certificate or higher (415 = 6-22)",
        ),
        ("higheduc3", "higheduc4"),
        "as above",
    ),
    Entry(
        _code(
            "any_member_senior_or_more",
            "any_member",
            "r415",
            SENIOR_OR_MORE,
            "Some member holds a senior secondary certificate or higher (415 = 11-22)",
        ),
        ("higheduc4",),
        "as above",
    ),
    # Assets (block V)
    Entry(_yes("has_ac", "r502c", "Air conditioner (502c)"), "ac", "same concept"),
    Entry(_yes("has_computer", "r502h", "Computer/laptop/tablet (502h)"), "computer", "survey: computer"),
    Entry(
        _yes("has_flat_tv", "r502f", 'Flat-screen TV ≥ 30" (502f)'),
        "tv",
        "survey: any TV (80 % of households own one); ours: a flat screen of 30 inches or more",
    ),
    Entry(
        _code("cooks_with_gas_or_electricity", "family", "r308", [1, 2, 3, 4, 5, 6], "Cooks with gas or electricity"),
        "gas",
        "survey: owns a gas burner (2008, before the kerosene-to-LPG conversion); ours: main cooking fuel is "
        "electricity, LPG, piped gas or biogas (308 = 1-6). Nearly every Tangsel family cooks with LPG",
    ),
    Entry(_yes("has_refrigerator", "r502b", "Refrigerator (502b)"), "refrigerator", "same concept"),
    Entry(_yes("has_bicycle", "r502j", "Bicycle (502j)"), "bicycle", "same concept"),
    Entry(_yes("has_motorcycle", "r502i", "Motorcycle (502i)"), "motorcycle", "same concept"),
    Entry(_yes("has_car", "r502k", "Car (502k)"), "auto", "survey: car, minibus or truck"),
    Entry(
        _yes("has_smartphone", "r502n", "Smartphone (502n)"),
        "hp",
        "survey: any mobile phone; ours: a smartphone",
    ),
    Entry(
        _yes("has_gold", "r502g", "Gold/jewellery ≥ 10 g (502g)"),
        "jewelry",
        "survey: any jewellery; ours: gold or jewellery of 10 g or more",
    ),
    Entry(
        {
            "name": "has_cattle",
            "kind": "positive",
            "variables": ["r504a", "r504b"],
            "label": "Cattle or buffalo (504a + 504b > 0)",
        },
        "cow",
        "survey: caribou/cow; ours: heads of cattle plus buffalo above 0",
    ),
)

FEATURES: Final = [entry.feature for entry in ENTRIES]
