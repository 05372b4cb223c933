// @ts-check
/**
 * Which parts of the questionnaire are asked right now, and records without the answers of
 * skipped questions. No DOM: the form (static/js/app/form.js) and Node tests use it.
 *
 * The semantics are validate.js's: a family variable is relevant when its block's `relevant`
 * and its own `relevant` hold on {family, members, context}; a member variable when the
 * block's, the group's and its own `relevant` hold, its own rule reading
 * {family, members, context, member, index}. A missing rule holds. Truthiness is JsonLogic's.
 */
import { assertWhitelisted, jsonLogicWithOperations, truthy } from './operations.js';
import { definitionRules, effectiveContext } from './validate.js';

/** @typedef {import('./validate.js').Definition} Definition */
/** @typedef {import('./validate.js').Item} Item */
/** @typedef {import('./validate.js').Block} Block */
/** @typedef {import('./validate.js').Row} Row */

/**
 * @typedef {object} FamilyRecord
 * @property {string} form
 * @property {string} version
 * @property {Row} family
 * @property {Row[]} members
 */

/**
 * @typedef {object} Relevance
 * @property {Set<string>} blocks  ids of the relevant blocks
 * @property {Set<string>} required  ids of the blocks whose `required_when` holds (or that have none)
 * @property {Set<string>} family  ids of the relevant family variables
 * @property {boolean} group  the member group is relevant (its block and its own rule)
 * @property {Set<string>[]} members  per member row, ids of its relevant variables (all empty when `group` is false)
 */

/** @type {WeakSet<Definition>} */
const WHITELISTED = new WeakSet();

/**
 * @param {object} obj
 * @param {string} key
 * @returns {boolean}
 */
function hasOwn(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * @param {unknown} value
 * @returns {value is Row}
 */
function isRow(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A rule evaluator for a definition whose rules passed the whitelist (checked once per definition).
 * @param {Definition} definition
 * @returns {(rule: unknown, data: unknown) => boolean}
 */
function holdsFor(definition) {
  if (!WHITELISTED.has(definition)) {
    for (const rule of definitionRules(definition)) {
      assertWhitelisted(rule);
    }
    WHITELISTED.add(definition);
  }
  const logic = jsonLogicWithOperations();
  return (rule, data) => truthy(logic.apply(rule, data));
}

/**
 * The family row and member rows of a record; throws like validate() on a malformed record.
 * @param {Definition} definition
 * @param {unknown} record
 * @returns {{family: Row, members: Row[]}}
 */
function split(definition, record) {
  if (!isRow(record)) {
    throw new Error('a record is a JSON object');
  }
  if (record.form !== definition.form || record.version !== definition.version) {
    throw new Error(`record is for ${String(record.form)} version ${String(record.version)}, `
      + `definition is ${definition.form} version ${definition.version}`);
  }
  const family = hasOwn(record, 'family') ? record.family : {};
  const members = hasOwn(record, 'members') ? record.members : [];
  if (!isRow(family)) {
    throw new Error('record.family must be an object');
  }
  if (!Array.isArray(members) || !members.every(isRow)) {
    throw new Error('record.members must be a list of objects');
  }
  return { family, members };
}

/**
 * The member group of a definition and its block, or null when it has none.
 * @param {Definition} definition
 * @returns {{block: Block, group: Item} | null}
 */
export function memberGroup(definition) {
  for (const block of definition.blocks) {
    for (const item of block.items) {
      if (item.type === 'group') {
        return { block, group: item };
      }
    }
  }
  return null;
}

/**
 * What is asked now.
 * @param {Definition} definition
 * @param {unknown} record  {form, version, family, members}
 * @param {Record<string, unknown> | null} [context]
 * @returns {Relevance}
 */
export function relevance(definition, record, context) {
  const holds = holdsFor(definition);
  const { family, members } = split(definition, record);
  const root = { family, members, context: effectiveContext(definition, context) };
  /** @type {Relevance} */
  const out = {
    blocks: new Set(),
    required: new Set(),
    family: new Set(),
    group: false,
    members: members.map(() => new Set()),
  };
  for (const block of definition.blocks) {
    const blockRelevant = !hasOwn(block, 'relevant') || holds(block.relevant, root);
    if (blockRelevant) {
      out.blocks.add(block.id);
    }
    if (!hasOwn(block, 'required_when') || holds(block.required_when, root)) {
      out.required.add(block.id);
    }
    for (const item of block.items) {
      if (item.type === 'group') {
        const groupRelevant = blockRelevant && (!hasOwn(item, 'relevant') || holds(item.relevant, root));
        out.group = groupRelevant;
        if (!groupRelevant) {
          continue;
        }
        members.forEach((member, index) => {
          const data = { ...root, member, index };
          for (const variable of item.variables ?? []) {
            if (!hasOwn(variable, 'relevant') || holds(variable.relevant, data)) {
              out.members[index].add(variable.id);
            }
          }
        });
      } else if (blockRelevant && (!hasOwn(item, 'relevant') || holds(item.relevant, root))) {
        out.family.add(item.id);
      }
    }
  }
  return out;
}

/**
 * A deep copy of plain JSON data.
 * @template T
 * @param {T} value
 * @returns {T}
 */
function copyJson(value) {
  if (Array.isArray(value)) {
    return /** @type {T} */ (value.map(copyJson));
  }
  if (value !== null && typeof value === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = copyJson(item);
    }
    return /** @type {T} */ (out);
  }
  return value;
}

/**
 * A new record without the answers of skipped questions, repeated until nothing changes
 * (removing one answer can skip another question). Keys that are no variable of the form are
 * kept (the validator reports them), and so are member rows: when the whole group is skipped
 * the rows stay as they are, for the enumerator to remove. The input is not changed.
 * @template {object} R
 * @param {Definition} definition
 * @param {R} record
 * @param {Record<string, unknown> | null} [context]
 * @returns {R}
 */
export function pruneIrrelevant(definition, record, context) {
  split(definition, record);
  const out = copyJson(record);
  const rec = /** @type {Row} */ (/** @type {unknown} */ (out));
  const family = /** @type {Row} */ (hasOwn(rec, 'family') ? rec.family : {});
  const members = /** @type {Row[]} */ (hasOwn(rec, 'members') ? rec.members : []);
  const familyIds = [];
  for (const block of definition.blocks) {
    for (const item of block.items) {
      if (item.type !== 'group') {
        familyIds.push(item.id);
      }
    }
  }
  const found = memberGroup(definition);
  const memberIds = (found?.group.variables ?? []).map((variable) => variable.id);
  for (;;) {
    const now = relevance(definition, out, context);
    let changed = false;
    for (const id of familyIds) {
      if (hasOwn(family, id) && !now.family.has(id)) {
        delete family[id];
        changed = true;
      }
    }
    if (now.group) {
      members.forEach((member, index) => {
        for (const id of memberIds) {
          if (hasOwn(member, id) && !now.members[index].has(id)) {
            delete member[id];
            changed = true;
          }
        }
      });
    }
    if (!changed) {
      return out;
    }
  }
}

/**
 * The family variable each question number names, for numbers that name exactly one.
 * @param {Definition} definition
 * @returns {Map<string, string>}
 */
function familyIdsByNumber(definition) {
  /** @type {Map<string, string[]>} */
  const byNumber = new Map();
  for (const block of definition.blocks) {
    for (const item of block.items) {
      if (item.type !== 'group' && typeof item.number === 'string') {
        byNumber.set(item.number, [...(byNumber.get(item.number) ?? []), item.id]);
      }
    }
  }
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const [number, ids] of byNumber) {
    if (ids.length === 1) {
      out.set(number, ids[0]);
    }
  }
  return out;
}

/**
 * A new, empty record of the definition's form, with some family answers filled in.
 * `prefill` maps question numbers to values, e.g. {"101": "36", "105a": "00"}. A number
 * that names no family variable or several (202 is r202_nama and r202_kode) is ignored,
 * and so are null and undefined values.
 * @param {Definition} definition
 * @param {Record<string, unknown> | null} [prefill]
 * @returns {FamilyRecord}
 */
export function emptyRecord(definition, prefill) {
  const ids = familyIdsByNumber(definition);
  /** @type {Row} */
  const family = {};
  for (const [number, value] of Object.entries(prefill ?? {})) {
    const id = ids.get(number);
    if (id !== undefined && value !== null && value !== undefined) {
      family[id] = copyJson(value);
    }
  }
  return { form: definition.form, version: definition.version, family, members: [] };
}

/**
 * The member number variable of the group: the one numbered 401, else the group's first.
 * @param {Definition} definition
 * @returns {string}
 */
export function memberNumberId(definition) {
  const found = memberGroup(definition);
  if (found === null) {
    throw new Error(`${definition.form} version ${definition.version} has no member group`);
  }
  const variables = found.group.variables ?? [];
  const numbered = variables.find((variable) => variable.number === '401') ?? variables[0];
  if (numbered === undefined) {
    throw new Error('the member group has no variables');
  }
  return numbered.id;
}

/**
 * A new member row for position `index` (0-based): {r401: index + 1}.
 * @param {Definition} definition
 * @param {number} index
 * @returns {Row}
 */
export function newMember(definition, index) {
  return { [memberNumberId(definition)]: index + 1 };
}
