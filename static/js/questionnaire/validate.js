// @ts-check
/**
 * Validates a family record against its questionnaire definition, on the phone.
 *
 * The server runs the same algorithm (households/questionnaire/validate.py); both must
 * return the same issues in the same order, which tests/questionnaire/vectors/ pin down.
 *
 * Order of issues: unknown family keys (sorted), then every item in definition order. A
 * variable yields at most one of "relevant" (answered but skipped), "required", "type" or
 * "code", and only an answered, well-typed, relevant variable runs its checks, in order.
 * The member group yields its own relevant/required issue or its checks, then each member
 * row in order: its unknown keys (sorted), then its variables.
 */
import { assertWhitelisted, integerValue, jsonLogicWithOperations, parseIsoDate, truthy } from './operations.js';

/**
 * @typedef {object} Issue
 * @property {string} variable
 * @property {string | null} number
 * @property {number | null} member_index
 * @property {string} check
 * @property {'error' | 'warning'} severity
 * @property {string} message
 * @property {string} message_en
 */

/**
 * @typedef {object} Check
 * @property {string} id
 * @property {unknown} rule
 * @property {'error' | 'warning'} severity
 * @property {string} message_id
 * @property {string} message_en
 * @property {string[]} variables
 */

/**
 * @typedef {object} Item  A variable, or the member group (type "group").
 * @property {string} id
 * @property {string | null} [number]
 * @property {string} label_id
 * @property {string} label_en
 * @property {string} type
 * @property {boolean} required
 * @property {{code: number, label_id: string, label_en: string}[]} [codes]
 * @property {unknown} [relevant]
 * @property {Check[]} [checks]
 * @property {Item[]} [variables]
 */

/**
 * @typedef {object} Block
 * @property {string} id
 * @property {unknown} [relevant]
 * @property {unknown} [required_when]
 * @property {Item[]} items
 */

/**
 * @typedef {object} Definition
 * @property {string} form
 * @property {string} version
 * @property {Record<string, {id: string, en: string}>} messages
 * @property {Record<string, {default: unknown}>} context
 * @property {{id: string, rule: unknown}[]} derived
 * @property {Block[]} blocks
 */

/** @typedef {Record<string, unknown>} Row */

/**
 * @param {object} obj
 * @param {string} key
 * @returns {boolean}
 */
function hasOwn(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * @param {Row} row
 * @param {string} key
 * @returns {unknown}
 */
function field(row, key) {
  return hasOwn(row, key) ? row[key] : undefined;
}

/**
 * @param {unknown} value
 * @returns {boolean}
 */
export function isAnswered(value) {
  return value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);
}

/**
 * @param {string} kind
 * @param {unknown} value
 * @returns {boolean}
 */
export function typeOk(kind, value) {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'code':
      return integerValue(value) !== null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'date':
      return parseIsoDate(value) !== null;
    case 'multicode':
      return Array.isArray(value) && value.every((item) => integerValue(item) !== null);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      throw new Error(`unknown type ${kind}`);
  }
}

/**
 * @param {Item} variable
 * @param {unknown} value
 * @returns {boolean}
 */
export function codeOk(variable, value) {
  if (variable.type !== 'code' && variable.type !== 'multicode') {
    return true;
  }
  const codes = (variable.codes ?? []).map((entry) => entry.code);
  const values = variable.type === 'multicode' ? /** @type {unknown[]} */ (value) : [value];
  return values.every((item) => codes.includes(/** @type {number} */ (item))) && new Set(values).size === values.length;
}

/**
 * Every rule of a definition (relevance, required_when, checks, derived values).
 * @param {Definition} definition
 * @returns {unknown[]}
 */
export function definitionRules(definition) {
  /** @type {unknown[]} */
  const rules = [];
  /** @param {Item} item */
  const addItem = (item) => {
    if (hasOwn(item, 'relevant')) {
      rules.push(item.relevant);
    }
    for (const check of item.checks ?? []) {
      rules.push(check.rule);
    }
    for (const variable of item.variables ?? []) {
      addItem(variable);
    }
  };
  for (const block of definition.blocks) {
    for (const key of /** @type {const} */ (['relevant', 'required_when'])) {
      if (hasOwn(block, key)) {
        rules.push(block[key]);
      }
    }
    block.items.forEach(addItem);
  }
  for (const entry of definition.derived) {
    rules.push(entry.rule);
  }
  return rules;
}

/**
 * The definition's context defaults, overridden key by key by the caller's context.
 * @param {Definition} definition
 * @param {Record<string, unknown> | null | undefined} context
 * @returns {Record<string, unknown>}
 */
export function effectiveContext(definition, context) {
  /** @type {Record<string, unknown>} */
  const merged = {};
  for (const [key, entry] of Object.entries(definition.context)) {
    merged[key] = entry.default;
  }
  return Object.assign(merged, context ?? {});
}

/**
 * @param {Definition} definition
 * @param {unknown} record
 * @returns {{family: Row, members: Row[]}}
 */
function split(definition, record) {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new Error('a record is a JSON object');
  }
  const rec = /** @type {Row} */ (record);
  if (field(rec, 'form') !== definition.form || field(rec, 'version') !== definition.version) {
    throw new Error(`record is for ${String(field(rec, 'form'))} version ${String(field(rec, 'version'))}, `
      + `definition is ${definition.form} version ${definition.version}`);
  }
  const family = hasOwn(rec, 'family') ? rec.family : {};
  const members = hasOwn(rec, 'members') ? rec.members : [];
  if (family === null || typeof family !== 'object' || Array.isArray(family)) {
    throw new Error('record.family must be an object');
  }
  const isRow = (/** @type {unknown} */ m) => m !== null && typeof m === 'object' && !Array.isArray(m);
  if (!Array.isArray(members) || !members.every(isRow)) {
    throw new Error('record.members must be a list of objects');
  }
  return { family: /** @type {Row} */ (family), members: /** @type {Row[]} */ (members) };
}

/**
 * Checks the definition's rules against the operator whitelist (once per call, so rules
 * are then applied without re-checking) and returns json-logic-js with the custom operators.
 * @param {Definition} definition
 * @returns {(rule: unknown, data: unknown) => any}
 */
function prepare(definition) {
  for (const rule of definitionRules(definition)) {
    assertWhitelisted(rule);
  }
  const logic = jsonLogicWithOperations();
  return (rule, data) => logic.apply(rule, data);
}

/**
 * Every issue of a record, in the documented order (an empty list when it is clean).
 * @param {Definition} definition
 * @param {unknown} record  {form, version, family: {...}, members: [{...}, ...]}
 * @param {Record<string, unknown> | null} [context]  values rules read as context.<key>
 * @returns {Issue[]}
 */
export function validate(definition, record, context) {
  const apply = prepare(definition);
  const { family, members } = split(definition, record);
  const root = { family, members, context: effectiveContext(definition, context) };
  /** @type {Issue[]} */
  const issues = [];
  /** @type {(rule: unknown, data: unknown) => boolean} */
  const holds = (rule, data) => truthy(apply(rule, data));

  /**
   * @param {Item} item
   * @param {number | null} memberIndex
   * @param {string} check
   * @param {'error' | 'warning'} severity
   * @param {string} message
   * @param {string} messageEn
   */
  const add = (item, memberIndex, check, severity, message, messageEn) => {
    issues.push({
      variable: item.id,
      number: item.number ?? null,
      member_index: memberIndex,
      check,
      severity,
      message,
      message_en: messageEn,
    });
  };

  /**
   * @param {Item} item
   * @param {number | null} memberIndex
   * @param {string} kind
   */
  const builtin = (item, memberIndex, kind) => {
    const refId = item.number ? `${item.number} ${item.label_id}` : item.label_id;
    const refEn = item.number ? `${item.number} ${item.label_en}` : item.label_en;
    const template = definition.messages[kind];
    add(item, memberIndex, kind, 'error', template.id.split('{ref}').join(refId), template.en.split('{ref}').join(refEn));
  };

  /**
   * @param {Row} row
   * @param {Set<string>} known
   * @param {number | null} memberIndex
   */
  const unknownKeys = (row, known, memberIndex) => {
    for (const key of Object.keys(row).filter((k) => !known.has(k)).sort()) {
      builtin({ id: key, number: null, label_id: key, label_en: key, type: 'string', required: false }, memberIndex, 'unknown');
    }
  };

  /**
   * @param {Item} item
   * @param {unknown} data
   * @param {number | null} memberIndex
   */
  const runChecks = (item, data, memberIndex) => {
    for (const check of item.checks ?? []) {
      if (!holds(check.rule, data)) {
        add(item, memberIndex, check.id, check.severity, check.message_id, check.message_en);
      }
    }
  };

  /**
   * @param {Item} variable
   * @param {Row} row
   * @param {unknown} data
   * @param {boolean} requiredNow
   * @param {number | null} memberIndex
   */
  const checkVariable = (variable, row, data, requiredNow, memberIndex) => {
    const value = field(row, variable.id);
    const relevant = !hasOwn(variable, 'relevant') || holds(variable.relevant, data);
    if (!relevant) {
      if (isAnswered(value)) {
        builtin(variable, memberIndex, 'relevant');
      }
      return;
    }
    if (!isAnswered(value)) {
      if (variable.required && requiredNow) {
        builtin(variable, memberIndex, 'required');
      }
      return;
    }
    if (!typeOk(variable.type, value)) {
      builtin(variable, memberIndex, 'type');
      return;
    }
    if (!codeOk(variable, value)) {
      builtin(variable, memberIndex, 'code');
      return;
    }
    runChecks(variable, data, memberIndex);
  };

  /**
   * @param {Item} group
   * @param {boolean} blockRelevant
   * @param {boolean} requiredNow
   */
  const checkGroup = (group, blockRelevant, requiredNow) => {
    const relevant = blockRelevant && (!hasOwn(group, 'relevant') || holds(group.relevant, root));
    if (!relevant) {
      if (members.length > 0) {
        builtin(group, null, 'relevant');
      }
      return;
    }
    if (members.length === 0) {
      if (group.required && requiredNow) {
        builtin(group, null, 'required');
      }
      return;
    }
    runChecks(group, root, null);
    const variables = group.variables ?? [];
    const known = new Set(variables.map((variable) => variable.id));
    members.forEach((member, index) => {
      unknownKeys(member, known, index);
      const data = { ...root, member, index };
      for (const variable of variables) {
        checkVariable(variable, member, data, requiredNow, index);
      }
    });
  };

  const familyIds = new Set(
    definition.blocks.flatMap((block) => block.items.filter((item) => item.type !== 'group').map((item) => item.id)),
  );
  unknownKeys(family, familyIds, null);
  for (const block of definition.blocks) {
    const blockRelevant = !hasOwn(block, 'relevant') || holds(block.relevant, root);
    const requiredNow = !hasOwn(block, 'required_when') || holds(block.required_when, root);
    for (const item of block.items) {
      if (item.type === 'group') {
        checkGroup(item, blockRelevant, requiredNow);
      } else if (blockRelevant) {
        checkVariable(item, family, root, requiredNow, null);
      } else if (isAnswered(field(family, item.id))) {
        builtin(item, null, 'relevant');
      }
    }
  }
  return issues;
}

/**
 * The definition's derived values for a record, e.g. {photo_required: true}.
 * @param {Definition} definition
 * @param {unknown} record
 * @param {Record<string, unknown> | null} [context]
 * @returns {Record<string, unknown>}
 */
export function derive(definition, record, context) {
  const apply = prepare(definition);
  const { family, members } = split(definition, record);
  const root = { family, members, context: effectiveContext(definition, context) };
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const entry of definition.derived) {
    out[entry.id] = apply(entry.rule, root);
  }
  return out;
}
