// @ts-check
/**
 * User-facing text of the enumerator app's lists, statuses, doorstep geotag warnings and SLS map
 * (Indonesian; translated through Django like strings.js, which holds the rest).
 */
import { gettext } from './i18n.js';

export const LIST_STRINGS = Object.freeze({
  // A family's state, in the PPL's words (ui/labels.js)
  statusUntouched: gettext('Belum diisi'),
  statusDraft: gettext('Draf, belum final'),
  statusWaiting: gettext('Menunggu dikirim'),
  statusSent: gettext('Terkirim, menunggu PML'),
  statusApproved: gettext('Disetujui PML'),
  statusReturned: gettext('Dikembalikan PML: perbaiki'),
  statusConflict: gettext('Konflik: data di server berubah'),
  statusRejected: gettext('Ditolak server: perbaiki'),

  // The VK1 list
  searchLabel: gettext('Cari nama, alamat, atau nomor bangunan'),
  filterLabel: gettext('Tampilkan'),
  filterAll: gettext('Semua'),
  filterNotVisited: gettext('Belum dikunjungi'),
  filterInProgress: gettext('Sedang diisi'),
  filterWaiting: gettext('Menunggu dikirim'),
  filterReturned: gettext('Dikembalikan'),
  visitedCount: gettext('%(done)s dari %(total)s keluarga VK1 sudah dikunjungi'),
  shownCount: gettext('%(shown)s ditampilkan'),
  noMatch: gettext('Tidak ada keluarga yang cocok.'),
  building: gettext('Bangunan no.'),
  familyNo: gettext('Keluarga no.'),

  // A family not on the VK1 list: only after searching it, with a warning of likely duplicates
  newFamilyButton: gettext('Keluarga tidak ada di VK1? Tambah keluarga baru'),
  newFamilyTitle: gettext('Tambah keluarga baru'),
  newFamilyHint: gettext('Cari dulu di daftar VK1 di atas. Tulis nama kepala keluarga dan nomor bangunan; aplikasi memeriksa apakah keluarga ini sudah ada.'),
  newFamilyName: gettext('Nama kepala keluarga'),
  newFamilyBuilding: gettext('Nomor bangunan (jika sudah ada)'),
  newFamilyCheck: gettext('Periksa lalu lanjutkan'),
  newFamilyNameRequired: gettext('Tulis nama kepala keluarga dulu.'),
  newFamilyDuplicates: gettext('Mungkin sudah ada: keluarga dengan nama kepala keluarga atau nomor bangunan yang sama. Buka yang sudah ada bila itu keluarga yang sama.'),
  newFamilyAnyway: gettext('Bukan keluarga yang sama: tambah keluarga baru'),
  cancel: gettext('Batal'),

  // Tasks on the home screen
  tasksUrgency: gettext('Yang paling mendesak di atas.'),

  // Doorstep geotag warnings (geo/rules.js, the same rules as the server)
  warnTitle: gettext('Periksa lokasi ini sebelum pergi'),
  warnAccuracy: gettext('Akurasi GPS %(accuracy)s m, lebih buruk dari batas %(limit)s m.'),
  warnOutsideKelurahan: gettext('Lokasi ini %(distance)s m di luar batas kelurahan tugas Anda.'),
  warnOutsideSls: gettext('Lokasi ini %(distance)s m di luar batas SLS.'),
  warnSpeed: gettext('Jarak %(distance)s m dari geotag sebelumnya dalam %(minutes)s menit (%(speed)s km/jam): tidak masuk akal.'),
  warnHelp: gettext('Ambil ulang di depan bangunan, atau tulis alasan bila lokasi ini memang benar.'),

  // The SLS map
  mapTitle: gettext('Peta SLS'),
  mapCaption: gettext('Batas %(area)s, %(tagged)s bangunan sudah bergeotag.'),
  mapAreaSls: gettext('SLS'),
  mapAreaKelurahan: gettext('kelurahan (SLS tanpa batas)'),
  mapNoBoundary: gettext('Batas wilayah belum tersedia; hanya titik bangunan yang digambar.'),
  mapNothing: gettext('Belum ada batas wilayah atau bangunan bergeotag untuk digambar.'),
  mapLocate: gettext('Tunjukkan posisi saya'),
  mapLocating: gettext('Mencari lokasi…'),
  mapYouOutside: gettext('Posisi Anda di luar peta ini.'),
  mapLegendBuilding: gettext('bangunan bergeotag'),
  mapLegendYou: gettext('posisi Anda'),
});
