// @ts-check
/**
 * The family form's own words (static/js/app/form.js and its modules here). The definition's labels
 * and messages come with the definition; these are the form's buttons, markers and summary.
 */
import { gettext, interpolate } from '../../ui/i18n.js';

export const TEXT = Object.freeze({
  yes: gettext('Ya'),
  block: gettext('Blok'),
  blocks: gettext('Blok kuesioner'),
  previous: gettext('Sebelumnya'),
  next: gettext('Berikutnya'),
  choose: gettext('Pilih…'),
  clearChoice: gettext('Kosongkan pilihan'),
  required: gettext('wajib diisi'),
  addMember: gettext('Tambah anggota keluarga'),
  removeMember: gettext('Hapus anggota'),
  newMember: gettext('Anggota baru'),
  member: gettext('Anggota'),
  noMembers: gettext('Belum ada anggota keluarga.'),
  /** @type {(number: unknown, name: string) => string} */
  confirmRemove: (number, name) =>
    name
      ? interpolate(gettext('Hapus anggota keluarga nomor %(number)s (%(name)s)? Semua isian anggota ini akan hilang.'), { number, name })
      : interpolate(gettext('Hapus anggota keluarga nomor %(number)s? Semua isian anggota ini akan hilang.'), { number }),
  groupSkipped: gettext('Pertanyaan anggota keluarga dilewati karena hasil pendataan (205). Hapus anggota keluarga yang sudah dicatat.'),
  blockSkipped: gettext('Blok ini dilewati karena hasil pendataan (205).'),
  summaryTitle: gettext('Hasil pemeriksaan'),
  noIssues: gettext('Tidak ada kesalahan atau peringatan.'),
  /** @type {(count: number) => string} */
  errors: (count) => interpolate(gettext('%(count)s kesalahan'), { count }),
  /** @type {(count: number) => string} */
  warnings: (count) => interpolate(gettext('%(count)s peringatan'), { count }),
  /** @type {(count: number) => string} */
  allIssues: (count) => interpolate(gettext('Daftar semua (%(count)s)'), { count }),
  errorsInBlock: gettext('kesalahan di blok ini'),
  errorsOfMember: gettext('kesalahan pada anggota ini'),
  reviewNotes: gettext('Catatan PML per isian'),
  reviewNote: gettext('Catatan PML'),
  reviewNoteShort: gettext('ada catatan PML'),
});
