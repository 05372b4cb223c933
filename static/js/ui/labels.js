// @ts-check
/**
 * Words for the states the sync layer keeps as codes (static/js/sync/ knows no UI text).
 */
import { LIST_STRINGS as L } from './list-strings.js';
import { STRINGS } from './strings.js';

/** @typedef {import('../sync/db.js').FamilyRow} FamilyRow */

/**
 * Why the sync stopped for a sign-in, in words, from the engine's code.
 * @param {string} code  forbidden, not_signed_in, token_expired, token_invalid, …
 * @returns {string}
 */
export function authRequiredText(code) {
  return code === 'forbidden' ? STRINGS.authForbidden : STRINGS.authSignInRequired;
}

/**
 * What the phone says about a refused or held family: the server's own words, or the words for the
 * engine's code.
 * @param {Pick<FamilyRow, 'message'> & Partial<Pick<FamilyRow, 'reject_code'>>} family
 * @returns {string | null}
 */
export function familyMessage(family) {
  if (family.message) return family.message;
  if (family.reject_code === 'too_large') return STRINGS.syncBatchTooLarge;
  return family.reject_code ? STRINGS.syncRequestRefused : null;
}

/**
 * @typedef {'untouched' | 'draft' | 'waiting' | 'sent' | 'approved' | 'returned' | 'conflict' | 'rejected'} Stage
 * What a family's state means to the PPL: the phone's `status` together with the server's
 * (`server_status`) and whether anything was typed yet (`untouched`, set by the form).
 */

/**
 * @param {Pick<FamilyRow, 'status'> & Partial<Pick<FamilyRow, 'server_status' | 'conflict_reason' | 'untouched'>>} family
 * @returns {Stage}
 */
export function familyStage(family) {
  switch (family.status) {
    case 'draft':
      return family.untouched ? 'untouched' : 'draft';
    case 'final':
      return 'waiting';
    case 'sent':
      // The server's word decides: approved by the PML, or returned by a pull not merged yet.
      if (family.server_status === 'approved') return 'approved';
      if (family.server_status === 'returned') return 'returned';
      return 'sent';
    case 'returned':
      return 'returned';
    case 'conflict':
      return family.conflict_reason === 'returned' ? 'returned' : 'conflict';
    default:
      return 'rejected';
  }
}

/** @type {Record<Stage, string>} */
const STAGE_LABELS = {
  untouched: L.statusUntouched,
  draft: L.statusDraft,
  waiting: L.statusWaiting,
  sent: L.statusSent,
  approved: L.statusApproved,
  returned: L.statusReturned,
  conflict: L.statusConflict,
  rejected: L.statusRejected,
};

/**
 * A user-facing label for a family's state on the phone (the same words on every screen).
 * @param {Pick<FamilyRow, 'status'> & Partial<Pick<FamilyRow, 'server_status' | 'conflict_reason' | 'untouched'>>} family
 * @returns {string}
 */
export function familyStatusLabel(family) {
  return STAGE_LABELS[familyStage(family)];
}
