"""CSV import of the VK1 prelist: the pre-listed families of each SLS (names only)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from enumeration import codes
from enumeration.imports import ImportReport, read_csv, required
from enumeration.models import SLS, User
from households.models import PrelistFamily

logger = logging.getLogger(__name__)

PRELIST_REQUIRED = ["kode_kelurahan", "kode_sls", "no_urut", "nama_kepala_keluarga"]
PRELIST_OPTIONAL = ["kode_sub_sls", "alamat"]


def prelist_import(data: bytes, by: User | None = None) -> ImportReport:
    """Create or update VK1 rows keyed by (SLS, no_urut). A row already verified in the field keeps
    its status; only its name and address follow the file. All-or-nothing, like every import."""
    report = ImportReport(kind="prelist")
    rows = read_csv(data, report, required=PRELIST_REQUIRED, optional=PRELIST_OPTIONAL)
    if not report.ok:
        return report
    kelurahan_codes = {r["kode_kelurahan"] for _line, r in rows}
    sls_by_key = {(s.kelurahan_id, s.code, s.sub_code): s for s in SLS.objects.filter(kelurahan_id__in=kelurahan_codes)}
    wanted: dict[tuple[int, int], tuple[int, str, str]] = {}
    for line, row in rows:
        if not required(report, line, row, PRELIST_REQUIRED):
            continue
        sls = sls_by_key.get(
            (row["kode_kelurahan"], row["kode_sls"].upper(), codes.normalize_sub_sls(row["kode_sub_sls"]))
        )
        if sls is None:
            report.add(line, "kode_sls", _("SLS tidak ditemukan di kelurahan ini"))
            continue
        try:
            number = int(row["no_urut"])
        except ValueError:
            number = 0
        if not 1 <= number <= 9999:
            report.add(line, "no_urut", _("harus bilangan bulat 1-9999"))
            continue
        if len(row["nama_kepala_keluarga"]) > 150:
            report.add(line, "nama_kepala_keluarga", _("terlalu panjang (maksimal 150 karakter)"))
        if len(row["alamat"]) > 255:
            report.add(line, "alamat", _("terlalu panjang (maksimal 255 karakter)"))
        key = (sls.pk, number)
        if key in wanted:
            report.add(
                line,
                "no_urut",
                _("nomor urut ini sudah ada di baris %(row)d untuk SLS yang sama") % {"row": wanted[key][0]},
            )
            continue
        wanted[key] = (line, row["nama_kepala_keluarga"], row["alamat"])
    if not report.ok:
        return report
    with transaction.atomic():
        existing = {
            (p.sls_id, p.line_no): p
            for p in PrelistFamily.objects.select_for_update().filter(sls_id__in={k[0] for k in wanted})
        }
        to_create, to_update = [], []
        for (sls_id, number), (_line, name, address) in wanted.items():
            current = existing.get((sls_id, number))
            if current is None:
                to_create.append(PrelistFamily(sls_id=sls_id, line_no=number, head_name=name, address=address))
            elif (current.head_name, current.address) != (name, address):
                current.head_name, current.address = name, address
                to_update.append(current)
            else:
                report.unchanged += 1
        PrelistFamily.objects.bulk_create(to_create, batch_size=2000)
        PrelistFamily.objects.bulk_update(to_update, ["head_name", "address"], batch_size=2000)
        report.created, report.updated = len(to_create), len(to_update)
    logger.info("import.prelist", extra={"rows": report.rows, "rows_created": report.created})
    return report
