// @ts-check
/**
 * The storage boundary: which parts of each row are personal, how they are sealed before a
 * transaction and opened after one (vault.js). The sync logic (outbox.js, pull.js, marks.js,
 * photos.js) only moves sealed values and compares records by their keyed hash; the screens and
 * the requests to the server get the decrypted view from here.
 *
 * Sealed: a family's answers (`record`, with names, NIK, No. KK), its server copy, every copy sent
 * (`unacked`), the supervisor's comment and notes per answer; a photo's bytes; a geotag's coordinates and reason; a VK1
 * row's head name and address; a VK1 mark's note; the device token. In the clear: ids, states,
 * revisions, times, counts, area codes and names (SLS), the questionnaire, error messages made
 * from the questionnaire, the PPL's own username and name.
 */
import { isSealed, openOptional, sealOptional } from './vault.js';

/** @typedef {import('./vault.js').Vault} Vault */
/** @typedef {import('./vault.js').Sealed} Sealed */
/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').FamilyRow} FamilyRow */
/** @typedef {import('./db.js').ServerFamily} ServerFamily */
/** @typedef {import('./db.js').StoredServerFamily} StoredServerFamily */
/** @typedef {import('./db.js').GeotagRow} GeotagRow */
/** @typedef {import('./db.js').Geotag} Geotag */
/** @typedef {import('./db.js').PrelistRow} PrelistRow */
/** @typedef {import('./db.js').PrelistEntry} PrelistEntry */

/**
 * @typedef {Omit<FamilyRow, 'record' | 'server' | 'review_comment' | 'review_notes' | 'unacked'> & {
 *   record: Record<string, any>,
 *   server: ServerFamily | null,
 *   review_comment: string | null,
 *   review_notes: import('./db.js').ReviewNote[],
 *   unacked: {seq: number, record: Record<string, any>}[],
 * }} FamilyView  A family in the clear (screens and tests).
 */

/**
 * @param {Vault | null | undefined} vault
 * @returns {Vault}
 */
export function requireVault(vault) {
  if (!vault) throw new Error('locked');
  return vault;
}

/**
 * A record sealed (as it is when already sealed: no await then, so this can run in a transaction).
 * @param {Vault | null | undefined} vault
 * @param {Record<string, any> | Sealed} record
 * @returns {Sealed | Promise<Sealed>}
 */
export function sealedRecord(vault, record) {
  return isSealed(record) ? record : requireVault(vault).sealRecord(record);
}

/**
 * @param {Vault} vault
 * @param {ServerFamily} server
 * @returns {Promise<StoredServerFamily>}
 */
export async function sealServerFamily(vault, server) {
  const [record, comment, notes] = await Promise.all([
    vault.sealRecord(server.record),
    sealOptional(vault, server.review_comment),
    Array.isArray(server.review_notes) ? vault.seal(server.review_notes) : undefined,
  ]);
  // No notes named (an older server): undefined, so what the phone knows is kept (learnReturn).
  return { ...server, record, review_comment: comment, review_notes: notes };
}

/**
 * @param {Vault} vault
 * @param {StoredServerFamily} server
 * @returns {Promise<ServerFamily>}
 */
export async function openServerFamily(vault, server) {
  const [record, comment, notes] = await Promise.all([
    vault.open(server.record),
    openOptional(vault, server.review_comment),
    openOptional(vault, server.review_notes),
  ]);
  return { ...server, record, review_comment: comment ?? null, review_notes: notes ?? null };
}

/**
 * @param {Vault} vault
 * @param {FamilyRow} row
 * @returns {Promise<FamilyView>}
 */
export async function openFamily(vault, row) {
  const copies = Array.isArray(row.unacked) ? row.unacked : row.unacked ? [row.unacked] : [];
  const [record, server, comment, notes, unacked] = await Promise.all([
    vault.open(row.record),
    row.server ? openServerFamily(vault, row.server) : null,
    openOptional(vault, row.review_comment),
    openOptional(vault, row.review_notes),
    Promise.all(copies.map(async (copy) => ({ seq: copy.seq, record: await vault.open(copy.record) }))),
  ]);
  return { ...row, record, server, review_comment: comment ?? null, review_notes: Array.isArray(notes) ? notes : [], unacked };
}

/**
 * One family in the clear, or undefined.
 * @param {RegsosekDB} db
 * @param {Vault} vault
 * @param {string} clientUuid
 * @returns {Promise<FamilyView | undefined>}
 */
export async function readFamily(db, vault, clientUuid) {
  const row = await db.families.get(clientUuid);
  return row === undefined ? undefined : openFamily(vault, row);
}

/**
 * @param {Vault} vault
 * @param {Geotag} geotag
 * @returns {Promise<GeotagRow>}
 */
export async function sealGeotag(vault, geotag) {
  const { lat, lon, accepted_reason: reason, ...rest } = geotag;
  return { ...rest, sealed: await vault.seal({ lat, lon, accepted_reason: reason ?? '' }) };
}

/**
 * @param {Vault} vault
 * @param {GeotagRow} row
 * @returns {Promise<Geotag>}
 */
export async function openGeotag(vault, row) {
  const { sealed, ...rest } = row;
  return { ...rest, ...(await vault.open(sealed)) };
}

/**
 * @param {Vault} vault
 * @param {PrelistEntry} row
 * @returns {Promise<PrelistRow>}
 */
export async function sealPrelistRow(vault, row) {
  const { head_name: head, address, ...rest } = row;
  return { ...rest, sealed: await vault.seal({ head_name: head ?? '', address: address ?? '' }) };
}

/**
 * @param {Vault} vault
 * @param {PrelistRow} row
 * @returns {Promise<PrelistEntry>}
 */
export async function openPrelistRow(vault, row) {
  const { sealed, ...rest } = row;
  return sealed ? { ...rest, ...(await vault.open(sealed)) } : { ...rest };
}

/**
 * Seals what the server sent in a pull, before the merge's transaction.
 * @template {{families?: ServerFamily[], prelist?: PrelistEntry[], geotags?: Geotag[], returned?: {comment: string | null, notes?: unknown}[]}} B
 * @param {Vault} vault
 * @param {B} body
 * @returns {Promise<Omit<B, 'families' | 'prelist' | 'geotags' | 'returned'> & {
 *   families: StoredServerFamily[], prelist: PrelistRow[], geotags: GeotagRow[],
 *   returned: (Omit<NonNullable<B['returned']>[number], 'comment' | 'notes'> & {comment: Sealed | null, notes?: Sealed})[]}>}
 */
export async function sealPullBody(vault, body) {
  const [families, prelist, geotags, returned] = await Promise.all([
    Promise.all((body.families ?? []).map((f) => sealServerFamily(vault, f))),
    Promise.all((body.prelist ?? []).map((p) => sealPrelistRow(vault, p))),
    Promise.all((body.geotags ?? []).map((g) => sealGeotag(vault, g))),
    Promise.all(
      (body.returned ?? []).map(async (r) => ({
        ...r,
        comment: await sealOptional(vault, r.comment),
        notes: Array.isArray(r.notes) ? await vault.seal(r.notes) : undefined,
      })),
    ),
  ]);
  return /** @type {any} */ ({ ...body, families, prelist, geotags, returned });
}

/**
 * Seals the server copies and comments in push answers, before the answers' transaction.
 * @template {{server?: ServerFamily | null, review_comment?: string | null, review_notes?: unknown}} R
 * @param {Vault | null | undefined} vault
 * @param {R[]} results
 * @returns {Promise<(Omit<R, 'server' | 'review_comment' | 'review_notes'> & {server?: StoredServerFamily | null, review_comment?: Sealed | null, review_notes?: Sealed | null})[]>}
 */
export async function sealPushResults(vault, results) {
  return Promise.all(
    (Array.isArray(results) ? results : []).map(async (result) => {
      if (!result || typeof result !== 'object') return result;
      const sealed = /** @type {any} */ ({ ...result });
      if (result.server && typeof result.server === 'object' && !isSealed(result.server.record)) {
        sealed.server = await sealServerFamily(requireVault(vault), result.server);
      }
      if (typeof result.review_comment === 'string') sealed.review_comment = await requireVault(vault).seal(result.review_comment);
      if (Array.isArray(result.review_notes)) sealed.review_notes = await requireVault(vault).seal(result.review_notes);
      return sealed;
    }),
  );
}

/**
 * Seals what a version without the app lock stored in the clear (schema version 2), once the PPL
 * set a PIN. Each store is read, sealed outside any transaction, and written back in one
 * transaction that skips a row somebody sealed meanwhile. Runs again harmlessly (nothing left).
 * @param {RegsosekDB} db
 * @param {Vault} vault
 * @returns {Promise<number>} rows sealed
 */
export async function sealLegacyRows(db, vault) {
  /** @type {any[]} */
  const families = [];
  for (const row of /** @type {any[]} */ (await db.families.toArray())) {
    if (isSealed(row.record)) continue;
    const copies = Array.isArray(row.unacked) ? row.unacked : row.unacked ? [row.unacked] : [];
    families.push({
      ...row,
      record: await vault.sealRecord(row.record),
      server: row.server && !isSealed(row.server.record) ? await sealServerFamily(vault, row.server) : row.server,
      review_comment: typeof row.review_comment === 'string' ? await vault.seal(row.review_comment) : row.review_comment,
      unacked: await Promise.all(copies.map(async (/** @type {any} */ c) => ({ seq: c.seq, record: await vault.sealRecord(c.record) }))),
    });
  }
  /** @type {any[]} */
  const photos = [];
  for (const row of /** @type {any[]} */ (await db.photos.toArray())) {
    if (row.sealed || !(row.blob instanceof Blob)) continue;
    const { blob, ...rest } = row;
    photos.push({ ...rest, type: blob.type || 'image/jpeg', sealed: await vault.sealBytes(blob) });
  }
  /** @type {GeotagRow[]} */
  const geotags = [];
  for (const row of /** @type {any[]} */ (await db.geotags.toArray())) {
    if (!row.sealed) geotags.push(await sealGeotag(vault, row));
  }
  /** @type {PrelistRow[]} */
  const prelist = [];
  for (const row of /** @type {any[]} */ (await db.prelist.toArray())) {
    if (!row.sealed) prelist.push(await sealPrelistRow(vault, row));
  }
  /** @type {any[]} */
  const marks = [];
  for (const row of /** @type {any[]} */ (await db.marks.toArray())) {
    if (typeof row.note === 'string' && row.note) marks.push({ ...row, note: await vault.seal(row.note) });
  }
  const token = await db.meta.get('token');
  const sealedToken = token && typeof token.value === 'string' ? await vault.seal(token.value) : null;
  let sealed = 0;
  await db.transaction('rw', [db.families, db.photos, db.geotags, db.prelist, db.marks, db.meta], async () => {
    for (const row of families) {
      const current = /** @type {any} */ (await db.families.get(row.client_uuid));
      if (current && !isSealed(current.record) && current.edit_seq === row.edit_seq) {
        await db.families.put(row);
        sealed += 1;
      }
    }
    for (const row of photos) {
      const current = /** @type {any} */ (await db.photos.get(row.client_uuid));
      if (current && !current.sealed) {
        await db.photos.put({ ...row, status: current.status, attempts: current.attempts, next_attempt_at: current.next_attempt_at, last_error: current.last_error });
        sealed += 1;
      }
    }
    for (const row of geotags) {
      const current = /** @type {any} */ (await db.geotags.get(row.client_uuid));
      if (current && !current.sealed) {
        await db.geotags.put(row);
        sealed += 1;
      }
    }
    for (const row of prelist) {
      const current = /** @type {any} */ (await db.prelist.get(row.id));
      if (current && !current.sealed) {
        await db.prelist.put(row);
        sealed += 1;
      }
    }
    for (const row of marks) {
      const current = /** @type {any} */ (await db.marks.get(row.key));
      if (current && typeof current.note === 'string' && current.seq === row.seq) {
        await db.marks.put(row);
        sealed += 1;
      }
    }
    const currentToken = await db.meta.get('token');
    if (sealedToken && currentToken && typeof currentToken.value === 'string') {
      await db.meta.put({ key: 'token', value: sealedToken });
      sealed += 1;
    }
  });
  return sealed;
}
