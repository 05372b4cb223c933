// @ts-check
/**
 * Words for the states the sync layer keeps as codes (static/js/sync/ knows no UI text).
 */
import { STRINGS } from './strings.js';

/** @typedef {import('../sync/db.js').FamilyRow} FamilyRow */

const FAMILY_STATUS_KEYS = /** @type {const} */ ({
  draft: 'familyStatusDraft',
  final: 'familyStatusFinal',
  sent: 'familyStatusSent',
  conflict: 'familyStatusConflict',
  rejected: 'familyStatusRejected',
  returned: 'familyStatusReturned',
});

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
 * A user-facing label for a family's state on the phone.
 * @param {Pick<FamilyRow, 'status'> & Partial<Pick<FamilyRow, 'conflict_reason'>>} family
 * @returns {string}
 */
export function familyStatusLabel(family) {
  if (family.status === 'conflict' && family.conflict_reason === 'returned') return STRINGS.familyStatusReturnedUnseen;
  return STRINGS[FAMILY_STATUS_KEYS[family.status]];
}
