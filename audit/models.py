"""The audit log: who did or saw what, when, from where, in which area. Append-only.

An entry names people and things by plain ids with denormalised labels (username and role at the
time), never by foreign keys: the log sits below every domain app (anything may write to it, it
imports none of them), and deleting or renaming a user, a family or a device never touches it.
Entries are never updated or deleted by the application; a PostgreSQL trigger (migration
`audit/0002`) refuses UPDATE and DELETE, except the retention purge's DELETE of entries older than
its cutoff (`audit.services.audit_purge`, docs/privacy.md "Audit log").
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    SIGN_IN = "auth.sign_in", _("Masuk (web)")
    SIGN_IN_FAILED = "auth.sign_in_failed", _("Gagal masuk")
    LOCKED_OUT = "auth.locked_out", _("Terkunci: terlalu banyak percobaan masuk")
    SIGN_IN_THROTTLED = "auth.sign_in_throttled", _("Percobaan masuk dari satu alamat ditahan sementara")
    SIGN_IN_UNLOCK = "auth.unlock", _("Kunci masuk petugas dibuka")
    SIGN_OUT = "auth.sign_out", _("Keluar")
    SESSION_EXPIRED = "auth.session_expired", _("Sesi berakhir karena tidak aktif")
    SESSIONS_ENDED = "auth.sessions_ended", _("Sesi dan perangkat diakhiri admin")
    DEVICE_SIGN_IN = "device.sign_in", _("Masuk di perangkat")
    DEVICE_REVOKE = "device.revoke", _("Perangkat dicabut")
    DEVICE_WIPE_CONFIRMED = "device.wipe_confirmed", _("Perangkat melaporkan data terhapus")
    IDENTIFIER_REVEAL = "identifier.reveal", _("NIK / No. KK dibuka")
    FAMILY_VIEW = "family.view", _("Data keluarga dilihat")
    FAMILY_HISTORY_VIEW = "family.history_view", _("Riwayat keluarga dilihat")
    FAMILY_APPROVE = "family.approve", _("Keluarga disetujui")
    FAMILY_RETURN = "family.return", _("Keluarga dikembalikan")
    FAMILY_RESUBMIT = "family.resubmit", _("Keluarga dikirim ulang")
    SLS_CONFIRM = "sls.confirm", _("SLS dikonfirmasi")
    SLS_REOPEN = "sls.reopen", _("SLS dibuka kembali")
    EXPORT = "data.export", _("Ekspor data")
    DOWNLOAD = "data.download", _("Unduhan berkas")
    RANKING_RUN = "ranking.run", _("Pemeringkatan dijalankan")
    FKP_FORUM = "fkp.forum", _("Forum FKP: tanggal atau tanda selesai")
    ADMIN_ADD = "admin.add", _("Admin: tambah")
    ADMIN_CHANGE = "admin.change", _("Admin: ubah")
    ADMIN_DELETE = "admin.delete", _("Admin: hapus")
    ADMIN_VIEW = "admin.view", _("Admin: lihat data")
    ADMIN_IMPORT = "admin.import", _("Admin: impor CSV")
    PURGE = "audit.purge", _("Log audit dipangkas (masa simpan)")


class AppendOnlyError(Exception):
    """The audit log is append-only: nothing in the application updates or deletes an entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses bulk updates and deletes in Python, before the database trigger would."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are never updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries are deleted only by the retention purge")


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    action = models.CharField(_("tindakan"), max_length=40, choices=AuditAction.choices)
    # Who: the user's id, username and role at the time (none for the system, e.g. the purge).
    actor_id = models.BigIntegerField(_("id pengguna"), null=True, blank=True)
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    actor_role = models.CharField(_("peran"), max_length=16, blank=True)
    # What: a kind of object ("family", "device", "user", "sls", a model label for admin changes) and its id.
    object_type = models.CharField(_("jenis objek"), max_length=60, blank=True)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True)
    # Where, when known: BPS codes and the SLS id.
    kecamatan_code = models.CharField(_("kecamatan"), max_length=7, blank=True)
    kelurahan_code = models.CharField(_("kelurahan"), max_length=10, blank=True)
    sls_id = models.BigIntegerField(_("SLS"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    # Short and non-personal: codes, counts, statuses, field names. Never a NIK, No. KK, name or comment.
    detail = models.CharField(_("keterangan"), max_length=255, blank=True)
    # Only for identifier reveals: the reason the user typed, kept for accountability. Free text that
    # may name a person: shown to BPS admins on the audit page, never logged, never exported.
    reason = models.CharField(_("alasan"), max_length=255, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        db_table = "audit_entry"
        verbose_name = _("entri audit")
        verbose_name_plural = _("log audit")
        ordering = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["actor_username", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
            models.Index(fields=["kecamatan_code", "at"], name="audit_kecamatan_at"),
            models.Index(fields=["kelurahan_code", "at"], name="audit_kelurahan_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_username or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are deleted only by the retention purge")
