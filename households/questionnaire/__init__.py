"""The questionnaire as data: versioned JSON definitions, a JSON Logic engine that agrees
with json-logic-js, and the record validator shared (in spirit and in test vectors) with
static/js/questionnaire/. See docs/questionnaire.md.
"""

from households.questionnaire.definition import (
    Definition,
    DefinitionError,
    available_definitions,
    check_definition,
    load_definition,
)
from households.questionnaire.validate import Issue, RecordError, derive, validate

__all__ = [
    "Definition",
    "DefinitionError",
    "Issue",
    "RecordError",
    "available_definitions",
    "check_definition",
    "derive",
    "load_definition",
    "validate",
]
