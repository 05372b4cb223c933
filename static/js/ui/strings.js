// @ts-check
/**
 * User-facing text of the enumerator app (Indonesian). Code refers to a key; messages the server
 * sends (already Indonesian) are shown as they are.
 */
import { gettext } from './i18n.js';

export const STRINGS = Object.freeze({
  // Sync: states of a family on the phone
  familyStatusDraft: gettext('Draf (belum final)'),
  familyStatusFinal: gettext('Menunggu dikirim'),
  familyStatusSent: gettext('Terkirim'),
  familyStatusConflict: gettext('Konflik: data di server sudah berubah'),
  familyStatusRejected: gettext('Ditolak server; perlu diperbaiki'),
  familyStatusReturned: gettext('Dikembalikan pengawas'),

  // Sync: messages the engine stores or emits
  syncNetworkError: gettext('Tidak ada koneksi ke server. Data aman di ponsel dan akan dikirim otomatis.'),
  syncServerError: gettext('Server sedang bermasalah. Data aman di ponsel dan akan dikirim ulang otomatis.'),
  syncNoResult: gettext('Server tidak memberi jawaban untuk keluarga ini; akan dikirim ulang.'),
  syncBatchTooLarge: gettext('Data keluarga ini terlalu besar untuk dikirim. Hubungi pengawas.'),
  syncRequestRefused: gettext('Server menolak permintaan ini.'),
  syncConflictPulled:
    gettext('Data keluarga ini diubah di server (misalnya oleh pengawas) sementara Anda mengubahnya di ponsel. Pilih versi yang dipakai.'),
  syncPhotoWaitingFamily: gettext('Foto menunggu data keluarganya diterima server.'),
  syncPhotoRejected: gettext('Foto ditolak server.'),
  syncDefinitionFailed: gettext('Kuesioner terbaru belum dapat diunduh; akan dicoba lagi.'),

  // Sign-in, expiry, revocation
  authSignInRequired: gettext('Sesi berakhir. Masuk lagi untuk melanjutkan pengiriman. Data yang belum terkirim tetap aman.'),
  authForbidden: gettext('Akun ini tidak diizinkan mengirim data dari aplikasi ini. Hubungi admin BPS.'),
  authWipeRequired:
    gettext('Perangkat ini telah dicabut oleh admin BPS. Semua data di ponsel ini harus dihapus.'),
  authInvalidCredentials: gettext('Username atau kata sandi salah.'),
  signOutUnsent: gettext('Masih ada data yang belum terkirim. Kirim dulu sebelum keluar.'),

  // Progress
  syncPhasePush: gettext('Mengirim data keluarga'),
  syncPhasePhotos: gettext('Mengirim foto'),
  syncPhasePull: gettext('Mengambil pembaruan'),
  syncPhaseDefinition: gettext('Memperbarui kuesioner'),

  syncPhaseMarks: gettext('Mengirim tanda VK1'),
  syncRunning: gettext('Sinkronisasi…'),
  syncButton: gettext('Kirim & perbarui'),
  lastSync: gettext('Terakhir sinkron'),
  unsentCount: gettext('Belum terkirim'),
  online: gettext('Ada koneksi'),
  offline: gettext('Tanpa koneksi'),
  signInAgain: gettext('Masuk lagi'),

  // App shell and updates
  bootFailed: gettext('Aplikasi gagal dimuat. Tutup lalu buka lagi; data di ponsel tetap aman.'),
  screenFailed: gettext('Layar ini gagal ditampilkan. Kembali ke beranda; data di ponsel tetap aman.'),
  noServiceWorker:
    gettext('Browser ini tidak mendukung mode luring (service worker). Gunakan Chrome versi terbaru di Android agar aplikasi bekerja tanpa sinyal.'),
  updateReady: gettext('Versi baru aplikasi siap. Data di ponsel tidak berubah.'),
  updateWaiting: gettext('Versi baru aplikasi siap; tutup formulir dan tunggu pengiriman selesai untuk memperbarui.'),
  updateButton: gettext('Perbarui'),
  syntheticBanner: gettext('DATA SINTETIS: bukan data orang sungguhan.'),
  back: gettext('Kembali'),

  // Sign-in, sign-out, wipe
  signInTitle: gettext('Masuk PPL'),
  signInHint: gettext('Masuk sekali saat ada sinyal untuk mengunduh wilayah tugas. Setelah itu aplikasi bekerja tanpa sinyal.'),
  signInAgainHint: gettext('Sesi berakhir. Masuk lagi untuk melanjutkan pengiriman; data yang belum terkirim tetap di ponsel.'),
  username: gettext('Nama pengguna'),
  password: gettext('Kata sandi'),
  signInButton: gettext('Masuk'),
  signInOffline: gettext('Tidak ada koneksi ke server. Masuk memerlukan sinyal; coba lagi saat ada sinyal.'),
  signOutButton: gettext('Keluar'),
  wipeTitle: gettext('Perangkat dicabut'),
  wipeExplain: gettext('Data di ponsel ini akan dihapus. Data yang sudah terkirim tetap aman di server.'),
  wipeButton: gettext('Hapus data di ponsel ini'),

  // Home
  homeTitle: gettext('Tugas pendataan'),
  tasksTitle: gettext('Perlu ditindaklanjuti'),
  assignmentTitle: gettext('Wilayah tugas (SLS)'),
  assignmentEmpty: gettext('Belum ada SLS. Tekan "Kirim & perbarui" saat ada sinyal untuk mengunduh wilayah tugas.'),
  familiesCount: gettext('Keluarga'),
  sentCount: gettext('Terkirim'),
  storageUsed: gettext('Penyimpanan terpakai'),
  storagePersisted: gettext('Data disimpan permanen oleh browser.'),
  storageNotPersisted:
    gettext('Browser belum menjamin penyimpanan permanen: kirim data sesering mungkin dan jangan hapus data situs.'),
  storageUnsupported: gettext('Browser ini tidak menampilkan pemakaian penyimpanan.'),
  familyUnnamed: gettext('(nama kepala keluarga belum diisi)'),

  // SLS and VK1
  slsMissing: gettext('SLS ini tidak ada di tugas Anda.'),
  definitionMissing: gettext('Kuesioner belum terunduh. Tekan "Kirim & perbarui" saat ada sinyal.'),
  newFamily: gettext('Tambah keluarga baru (tidak ada di VK1)'),
  prelistTitle: gettext('Daftar VK1'),
  prelistEmpty: gettext('SLS ini belum memiliki daftar VK1.'),
  prelistPending: gettext('Belum diverifikasi'),
  prelistFound: gettext('Ditemukan'),
  prelistMoved: gettext('Pindah'),
  prelistDeceased: gettext('Meninggal'),
  prelistNotFound: gettext('Tidak ditemukan'),
  prelistDuplicate: gettext('Ganda'),
  prelistNew: gettext('Keluarga baru'),
  prelistMarkLabel: gettext('Tandai status…'),
  prelistConfirm: gettext('Tandai keluarga ini sebagai'),
  markPending: gettext('Tanda belum terkirim'),
  markRejected: gettext('Tanda ditolak server'),
  startInterview: gettext('Mulai wawancara'),
  openFamily: gettext('Buka'),
  newFamiliesTitle: gettext('Keluarga baru di lapangan'),

  // Family
  familyTitle: gettext('Data keluarga'),
  familyMissing: gettext('Keluarga ini tidak ada di ponsel.'),
  familyApproved: gettext('Sudah disetujui pengawas; perubahan akan ditolak server.'),
  enumerator: gettext('PPL'),
  reviewComment: gettext('Catatan pengawas'),
  conflictKeepMine: gettext('Pakai data saya'),
  conflictTakeServer: gettext('Pakai data server'),
  conflictFirst: gettext('Selesaikan konflik dulu: pilih data yang dipakai.'),
  saveDraft: gettext('Simpan draf'),
  draftSaved: gettext('Draf tersimpan di ponsel.'),
  finalise: gettext('Finalkan'),
  finalised: gettext('Final. Data akan dikirim saat ada sinyal.'),
  finaliseBlocked: gettext('Belum bisa final: perbaiki kesalahan yang ditandai'),
  finaliseFailed: gettext('Gagal memfinalkan. Data draf tetap tersimpan.'),
  geotagTitle: gettext('Geotag bangunan tempat tinggal'),
  geotagBuilding: gettext('Bangunan nomor'),
  geotagNeedsBuilding: gettext('Isi dulu 109 (nomor urut bangunan) untuk mengambil geotag.'),
  geotagMissing: gettext('Geotag bangunan belum diambil.'),
  geotagOnServer: gettext('Geotag bangunan sudah tersimpan di server.'),
  geotagCaptureButton: gettext('Ambil lokasi (GPS)'),
  geotagRetakeButton: gettext('Ambil ulang lokasi'),
  geotagCapturing: gettext('Mencari lokasi GPS…'),
  geotagAccuracy: gettext('akurasi'),
  geotagReason: gettext('alasan'),
  geotagPoorAccuracy: gettext('Akurasi GPS kurang baik:'),
  geotagThreshold: gettext('batas'),
  geotagRetake: gettext('Ambil ulang'),
  geotagAcceptWithReason: gettext('Atau terima lokasi ini dengan alasan:'),
  geotagReasonPlaceholder: gettext('mis. di dalam gang sempit, sinyal GPS lemah'),
  geotagReasonRequired: gettext('Tuliskan alasan (minimal 5 huruf).'),
  geotagAccept: gettext('Terima dengan alasan'),
  geotagUseBuilding: gettext('Pakai geotag bangunan ini'),
  geotagDenied: gettext('Izin lokasi ditolak. Izinkan lokasi untuk situs ini di pengaturan browser.'),
  geotagUnsupported: gettext('Browser ini tidak dapat membaca GPS.'),
  geotagTimeout: gettext('GPS belum mendapat lokasi. Coba di tempat terbuka lalu ambil ulang.'),
  geotagUnavailable: gettext('Lokasi tidak tersedia. Nyalakan GPS lalu ambil ulang.'),
  photoTitle: gettext('Foto rumah'),
  photoRequired: gettext('Foto rumah wajib untuk keluarga ini (perkiraan kesejahteraan 111).'),
  photoOptional: gettext('Foto rumah tidak wajib untuk keluarga ini.'),
  photoTake: gettext('Ambil foto'),
  photoRetake: gettext('Ambil ulang foto'),
  photoProcessing: gettext('Memproses foto…'),
  photoFailed: gettext('Foto gagal diproses. Ambil ulang.'),
  photoPreviewAlt: gettext('Pratinjau foto rumah'),
  photoSent: gettext('terkirim'),
  photoWaiting: gettext('menunggu dikirim'),
});

/** @typedef {keyof typeof STRINGS} StringKey */
