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
 * A user-facing label for a family's state on the phone.
 * @param {Pick<FamilyRow, 'status'> & Partial<Pick<FamilyRow, 'conflict_reason'>>} family
 * @returns {string}
 */
export function familyStatusLabel(family) {
  if (family.status === 'conflict' && family.conflict_reason === 'returned') return STRINGS.familyStatusReturnedUnseen;
  return STRINGS[FAMILY_STATUS_KEYS[family.status]];
}
