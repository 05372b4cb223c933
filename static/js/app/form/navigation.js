// @ts-check
/**
 * The blocks and fields that are shown, from a relevance object (questionnaire/relevance.js),
 * without the DOM: which blocks can be opened, the previous and next one, the block to fall back
 * to, and whether a field is asked and required. static/js/app/form/blocks.js and form.js use them.
 */

/** @typedef {import('../../questionnaire/validate.js').Item} Item */
/** @typedef {import('../../questionnaire/relevance.js').Relevance} Relevance */

/**
 * A block can be opened when it is asked, or when it holds member rows to remove.
 * @param {Relevance} rel
 * @param {string} blockId
 * @param {string | null} groupBlockId  the block of the member group
 * @param {number} memberCount
 * @returns {boolean}
 */
export function blockAvailable(rel, blockId, groupBlockId, memberCount) {
  return rel.blocks.has(blockId) || (blockId === groupBlockId && memberCount > 0);
}

/**
 * The next (step 1) or previous (step -1) block that can be opened, or null.
 * @param {readonly string[]} blockIds  in definition order
 * @param {string} blockId
 * @param {number} step
 * @param {(blockId: string) => boolean} available
 * @returns {string | null}
 */
export function neighbourBlock(blockIds, blockId, step, available) {
  for (let i = blockIds.indexOf(blockId) + step; i >= 0 && i < blockIds.length; i += step) {
    if (available(blockIds[i])) {
      return blockIds[i];
    }
  }
  return null;
}

/**
 * The block to show instead of `blockId`: itself while it can be opened, else the nearest one
 * before it, else the nearest after it, else itself.
 * @param {readonly string[]} blockIds
 * @param {string} blockId
 * @param {(blockId: string) => boolean} available
 * @returns {string}
 */
export function blockToShow(blockIds, blockId, available) {
  if (available(blockId)) {
    return blockId;
  }
  return neighbourBlock(blockIds, blockId, -1, available) ?? neighbourBlock(blockIds, blockId, 1, available) ?? blockId;
}

/**
 * Whether a family variable (member null) or a member's variable is asked.
 * @param {Relevance} rel
 * @param {string} variableId
 * @param {number | null} member
 * @returns {boolean}
 */
export function fieldRelevant(rel, variableId, member) {
  return member === null ? rel.family.has(variableId) : Boolean(rel.members[member]?.has(variableId));
}

/**
 * Whether a field shows the required marker: a required variable in a block whose `required_when` holds.
 * @param {Item} variable
 * @param {Relevance} rel
 * @param {string} blockId
 * @returns {boolean}
 */
export function fieldRequired(variable, rel, blockId) {
  return Boolean(variable.required && rel.required.has(blockId));
}
