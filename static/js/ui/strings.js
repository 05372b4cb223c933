// @ts-check
/**
 * User-facing text of the enumerator app (Indonesian). Code refers to a key; messages the server
 * sends (already Indonesian) are shown as they are.
 */

export const STRINGS = Object.freeze({
  // Sync: states of a family on the phone
  familyStatusDraft: 'Draf (belum final)',
  familyStatusFinal: 'Menunggu dikirim',
  familyStatusSent: 'Terkirim',
  familyStatusConflict: 'Konflik: data di server sudah berubah',
  familyStatusRejected: 'Ditolak server; perlu diperbaiki',
  familyStatusReturned: 'Dikembalikan pengawas',

  // Sync: messages the engine stores or emits
  syncNetworkError: 'Tidak ada koneksi ke server. Data aman di ponsel dan akan dikirim otomatis.',
  syncServerError: 'Server sedang bermasalah. Data aman di ponsel dan akan dikirim ulang otomatis.',
  syncNoResult: 'Server tidak memberi jawaban untuk keluarga ini; akan dikirim ulang.',
  syncBatchTooLarge: 'Data keluarga ini terlalu besar untuk dikirim. Hubungi pengawas.',
  syncRequestRefused: 'Server menolak permintaan ini.',
  syncConflictPulled:
    'Data keluarga ini diubah di server (misalnya oleh pengawas) sementara Anda mengubahnya di ponsel. Pilih versi yang dipakai.',
  syncPhotoWaitingFamily: 'Foto menunggu data keluarganya diterima server.',
  syncPhotoRejected: 'Foto ditolak server.',
  syncDefinitionFailed: 'Kuesioner terbaru belum dapat diunduh; akan dicoba lagi.',

  // Sign-in, expiry, revocation
  authSignInRequired: 'Sesi berakhir. Masuk lagi untuk melanjutkan pengiriman. Data yang belum terkirim tetap aman.',
  authForbidden: 'Akun ini tidak diizinkan mengirim data dari aplikasi ini. Hubungi admin BPS.',
  authWipeRequired:
    'Perangkat ini telah dicabut oleh admin BPS. Semua data di ponsel ini harus dihapus.',
  authInvalidCredentials: 'Username atau kata sandi salah.',
  signOutUnsent: 'Masih ada data yang belum terkirim. Kirim dulu sebelum keluar.',

  // Progress
  syncPhasePush: 'Mengirim data keluarga',
  syncPhasePhotos: 'Mengirim foto',
  syncPhasePull: 'Mengambil pembaruan',
  syncPhaseDefinition: 'Memperbarui kuesioner',
});

/** @typedef {keyof typeof STRINGS} StringKey */
