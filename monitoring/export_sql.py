"""The SQL of an export: one column per questionnaire variable, read from the stored rows.

Columns come from the questionnaire definition (`households.form`): the header is the variable id
(`r101`, `r406_tgl`: the number on the paper form, made unique), the codebook gives its number,
label, type and value labels. Answers are read straight from `data` (JSONB), so the whole file is
one `COPY (SELECT …) TO STDOUT` per chunk, with no Python per row for CSV (the budget of twice a plain COPY's time in of
docs/performance.md). NIK and No. KK are masked in SQL from the keyed hash, exactly as
`households.identifiers.mask` writes them: no number is decrypted for an export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from households import identifiers, records
from households.form import Definition, all_definitions

# Columns that say where a row belongs, before the questionnaire's variables.
FAMILY_META = [
    ("id_keluarga", "ID keluarga (sistem)", "Family id (system)", "f.id"),
    ("kode_sls", "Kode SLS (16 digit BPS)", "SLS code (16-digit BPS id)", "s.kelurahan_id || s.code || s.sub_code"),
    ("status", "Status pemeriksaan", "Review status", "f.status"),
    ("revisi", "Revisi", "Revision", "f.revision"),
    ("ppl", "Username PPL", "Enumerator's username", "u.username"),
    ("mulai_wawancara", "Wawancara dimulai", "Interview started", "f.interview_started_at"),
    ("selesai_wawancara", "Wawancara selesai", "Interview finished", "f.interview_finished_at"),
]
MEMBER_META = [
    ("id_keluarga", "ID keluarga (sistem)", "Family id (system)", "f.id"),
    ("kode_sls", "Kode SLS (16 digit BPS)", "SLS code (16-digit BPS id)", "s.kelurahan_id || s.code || s.sub_code"),
    ("status", "Status pemeriksaan", "Review status", "f.status"),
]


@dataclass(frozen=True)
class Column:
    header: str
    label_id: str
    label_en: str
    sql: str
    number: str = ""
    type: str = "string"
    codes: list[dict[str, Any]] = field(default_factory=list)


def current_definition() -> Definition:
    """The newest definition: its variables are the export's columns (older versions' answers use
    the same ids; a variable they lack is empty)."""
    return all_definitions()[-1]


def _literal(text: str) -> str:
    """A SQL string literal, for text from our own definition file (ids, labels). `%` is doubled:
    the statement is run with parameters (psycopg's placeholders)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def mask_sql(hash_column: str, ciphertext_column: str) -> str:
    """`identifiers.mask(hash)` in SQL: the bullets and four letters of the tag, or NULL without a
    number. The tag reads the first 32 bits of the hash in base 20, least significant digit first."""
    alphabet = _literal(identifiers.TAG_ALPHABET)
    value = f"('x' || substr({hash_column}, 1, 8))::bit(32)::bigint"
    base = len(identifiers.TAG_ALPHABET)
    letters = " || ".join(
        f"substr({alphabet}, mod({value} / {base**i}, {base})::int + 1, 1)" for i in range(identifiers.TAG_LENGTH)
    )
    return (
        f"CASE WHEN {ciphertext_column} IS NULL OR {hash_column} = '' THEN NULL "
        f"ELSE {_literal(identifiers.MASK_PREFIX)} || {letters} END"
    )


def _answer_sql(alias: str, variable: dict[str, Any], *, labels: bool) -> str:
    value = f"{alias}.data->>{_literal(variable['id'])}"
    if variable["type"] == "multicode":
        # A JSON list "[1, 4]" becomes "1,4": one cell, codes in the order given.
        return f"translate({value}, '[] ', '')"
    if labels and variable["type"] == "code" and variable.get("codes"):
        cases = " ".join(
            f"WHEN {_literal(str(code['code']))} THEN {_literal(code['label_id'])}" for code in variable["codes"]
        )
        return f"CASE {value} {cases} ELSE {value} END"
    return value


def _variable_column(variable: dict[str, Any], sql: str) -> Column:
    return Column(
        header=variable["id"],
        label_id=variable["label_id"],
        label_en=variable["label_en"],
        sql=sql,
        number=variable.get("number") or "",
        type=variable["type"],
        codes=list(variable.get("codes") or []),
    )


def family_columns(definition: Definition, *, labels: bool) -> list[Column]:
    kk_var = {v.get("number"): v["id"] for v in definition.family_variables()}.get(records.KK_NUMBER)
    columns = [Column(h, li, le, sql) for h, li, le, sql in FAMILY_META]
    for variable in definition.family_variables():
        if variable["id"] == kk_var:
            sql = mask_sql("f.kk_hash", "f.kk_ciphertext")
        else:
            sql = _answer_sql("f", variable, labels=labels)
        columns.append(_variable_column(variable, sql))
    return columns


def member_columns(definition: Definition, *, labels: bool) -> list[Column]:
    nik_var = {v.get("number"): v["id"] for v in definition.member_variables()}.get(records.NIK_NUMBER)
    columns = [Column(h, li, le, sql) for h, li, le, sql in MEMBER_META]
    columns.append(Column("no_urut", "Nomor urut anggota (sistem)", "Member line (system)", "m.line_no"))
    for variable in definition.member_variables():
        if variable["id"] == nik_var:
            sql = mask_sql("m.nik_hash", "m.nik_ciphertext")
        else:
            sql = _answer_sql("m", variable, labels=labels)
        columns.append(_variable_column(variable, sql))
    return columns


def select_sql(kind: str, columns: list[Column], *, scope_sql: str) -> str:
    """The SELECT of one chunk: families (or their members) whose id is in `scope_sql` (a
    subquery of family ids) and in (%s, %s], ordered as the file is."""
    select = ", ".join(f"{c.sql} AS {_quote(c.header)}" for c in columns)
    joins = (
        "FROM households_family f JOIN enumeration_sls s ON s.id = f.sls_id"
        " JOIN enumeration_user u ON u.id = f.created_by_id"
    )
    where = f"f.id IN ({scope_sql}) AND f.id > %s AND f.id <= %s"
    if kind == "members":
        joins += " JOIN households_member m ON m.family_id = f.id"
        return f"SELECT {select} {joins} WHERE {where} ORDER BY f.id, m.line_no"
    return f"SELECT {select} {joins} WHERE {where} ORDER BY f.id"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def codebook_rows(definition: Definition, columns: list[Column]) -> list[list[str]]:
    """One row per column and one per value label: header, number, label (id, en), type, code,
    code label (id, en). The same table for every format (a CSV of its own, an XLSX sheet)."""
    rows = [["kolom", "nomor", "label", "label_en", "tipe", "kode", "label_kode", "label_kode_en"]]
    for column in columns:
        rows.append([column.header, column.number, column.label_id, column.label_en, column.type, "", "", ""])
        for code in column.codes:
            rows.append(
                [column.header, column.number, "", "", "", str(code["code"]), code["label_id"], code["label_en"]]
            )
    return rows
