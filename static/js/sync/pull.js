// @ts-check
/**
 * Merges a pull answer (docs/sync.md, Pull) into the phone's database, in one transaction:
 * - SLS list and prelist are replaced (families and ops are never deleted: a family of an SLS that
 *   was reassigned stays on the phone, and its push is answered "forbidden" and shown);
 * - a server family updates the working copy only when the local copy is clean (sent/returned);
 *   a local copy with unsent changes keeps them, and becomes a conflict (both copies kept) when
 *   the server copy moved on past the revision it was edited from, unless the server's copy is
 *   one this phone sent itself (the rebase rule, docs/pwa.md);
 * - a sent family whose server copy is an older content of this phone's (a request that arrived
 *   late) is sent again, on top of that revision;
 * - returned families become tasks with the supervisor's comment; a finalised family waiting to
 *   be sent that has not answered the return is held until the PPL has read the comment;
 * - the geotags of the families sent are stored (a reinstalled phone shows and reuses them);
 * - the cursor and last_sync_at are stored with the data they describe;
 * - the personal parts of the answer are sealed before the transaction (sealing.js); inside it,
 *   records are compared by their keyed hashes;
 * - a family this phone already removed after its approval (retention.js) is not stored again
 *   unless it left the approved state.
 */
import { isClean, isOwnUnackedCopy, isUnansweredReturn, learnReturn, markConflict } from './outbox.js';
import { putPendingAgain } from './outbox.js';
import { requireVault, sealPullBody } from './sealing.js';
import { sameContent } from './vault.js';

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').FamilyRow} FamilyRow */
/** @typedef {import('./db.js').ServerFamily} ServerFamily */
/** @typedef {import('./db.js').StoredServerFamily} StoredServerFamily */
/** @typedef {import('./vault.js').Vault} Vault */

/**
 * @typedef {object} QuestionnaireRef
 * @property {string} form
 * @property {string} version
 * @property {string} sha256
 * @property {string} url
 */

/**
 * @typedef {object} PullBody
 * @property {string} cursor
 * @property {string} [server_time]
 * @property {QuestionnaireRef} [questionnaire]
 * @property {{ppl: {name: string, code: string}, pml: {name: string, code: string} | null}} [team]  for Blok II
 * @property {import('./db.js').SlsRow[]} sls
 * @property {import('./db.js').PrelistEntry[]} prelist
 * @property {ServerFamily[]} families
 * @property {import('./db.js').Geotag[]} [geotags]  the dwellings' geotags of those families
 * @property {{client_uuid: string, comment: string | null, notes?: import('./db.js').ReviewNote[], return_id?: number | null, reviewed_at?: string | null, reviewed_by?: string | null}[]} returned
 */

/**
 * @typedef {object} MergeSummary
 * @property {QuestionnaireRef | null} questionnaire
 * @property {number} updated    working copies replaced by the server's
 * @property {number} added      families new to this phone
 * @property {number} conflicts  local copies with unsent changes that the server moved past
 * @property {number} returned
 */

/**
 * @param {StoredServerFamily} server
 * @param {number} now
 * @returns {FamilyRow}
 */
function fromServer(server, now) {
  return {
    client_uuid: server.client_uuid,
    sls: server.sls,
    record: server.record,
    base_revision: server.revision,
    server_revision: server.revision,
    server_status: server.status,
    status: server.status === 'returned' ? 'returned' : 'sent',
    errors: null,
    message: null,
    server: null,
    review_comment: server.review_comment ?? null,
    review_notes: server.review_notes ?? null,
    return_id: server.return_id ?? null,
    answered_return: null,
    conflict_reason: null,
    geotag_uuid: server.geotag ?? null,
    edit_seq: 0,
    unacked: null,
    updated_at: now,
  };
}

/**
 * @param {RegsosekDB} db
 * @param {PullBody} plain
 * @param {number} now
 * @param {Vault | null} vault
 * @returns {Promise<MergeSummary>}
 */
export async function mergePull(db, plain, now, vault) {
  /** @type {MergeSummary} */
  const summary = { questionnaire: plain.questionnaire ?? null, updated: 0, added: 0, conflicts: 0, returned: 0 };
  const body = await sealPullBody(requireVault(vault), plain);
  await db.transaction('rw', [db.meta, db.sls, db.prelist, db.families, db.outbox, db.geotags, db.retired], async () => {
    await db.sls.clear();
    await db.sls.bulkPut(body.sls ?? []);
    await db.prelist.clear();
    await db.prelist.bulkPut(body.prelist ?? []);
    // A geotag is never changed once taken (a retake is a new one): the server's copy is the phone's.
    await db.geotags.bulkPut(body.geotags ?? []);

    /**
     * Ops of a family that must wait for the PPL (a conflict) stop being sent.
     * @param {string} clientUuid
     * @param {string} reason
     */
    const holdOps = (clientUuid, reason) =>
      db.outbox
        .where('client_uuid')
        .equals(clientUuid)
        .and((op) => op.status === 'pending' || op.status === 'auth' || op.status === 'rejected')
        .modify({ status: 'rejected', last_error: reason });

    for (const server of body.families ?? []) {
      let local = await db.families.get(server.client_uuid);
      if (local === undefined && server.status === 'approved' && (await db.retired.get(server.client_uuid))) continue;
      if (local === undefined) {
        // Back from the approved state (a supervisor reopened it): the PPL needs it again.
        await db.retired.delete(server.client_uuid);
        await db.families.put(fromServer(server, now));
        summary.added += 1;
        continue;
      }
      const moved = local.base_revision === null || server.revision > local.base_revision;
      const ownLate =
        local.status === 'sent' && moved && isOwnUnackedCopy(local, server) && !sameContent(server.record, local.record);
      if (isClean(local) && !ownLate) {
        const fresh = fromServer(server, now);
        await db.families.put({
          ...fresh,
          edit_seq: local.edit_seq,
          answered_return: local.answered_return ?? null,
          geotag_uuid: fresh.geotag_uuid ?? local.geotag_uuid,
          interview_started_at: local.interview_started_at ?? null,
          interview_finished_at: local.interview_finished_at ?? null,
          // The retention's clock (retention.js) starts when the phone first saw the approval.
          approved_seen_at: fresh.server_status === 'approved' ? (local.approved_seen_at ?? null) : null,
        });
        summary.updated += 1;
        continue;
      }
      if (ownLate) {
        // An older content of ours reached the server after the newer one: send the newer again.
        local.status = 'final';
        await putPendingAgain(db, local, now);
      }
      local.server_revision = server.revision;
      local.server_status = server.status;
      if (local.status === 'conflict') {
        // Keep the newest server copy beside the local one.
        if (!local.server || server.revision >= local.server.revision) {
          learnReturn(local, server);
          local.server = server;
        }
        await db.families.put(local);
        continue;
      }
      if (moved && isOwnUnackedCopy(local, server)) {
        // The server's copy is our own push whose answer was lost: rebase, keep the local edit.
        local.base_revision = server.revision;
        local.unacked = null;
      } else if (moved) {
        markConflict(local, server, 'changed', null);
        await holdOps(local.client_uuid, 'conflict');
        summary.conflicts += 1;
        await db.families.put(local);
        continue;
      }
      if (isUnansweredReturn(local, server)) local = await holdForReturn(local, server);
      await db.families.put(local);
    }

    for (const item of body.returned ?? []) {
      const local = await db.families.get(item.client_uuid);
      if (local === undefined) continue;
      // A family with unsent changes was held above if they do not answer this return.
      learnReturn(local, {
        status: 'returned',
        review_comment: item.comment,
        ...(item.notes !== undefined ? { review_notes: item.notes } : {}),
        return_id: item.return_id ?? null,
      });
      if (isClean(local)) local.status = 'returned';
      await db.families.put(local);
      summary.returned += 1;
    }

    /**
     * A finalised family that has not answered the supervisor's return waits for the PPL to read
     * the comment; a draft keeps being edited, with the comment shown.
     * @param {FamilyRow} local
     * @param {StoredServerFamily} server
     * @returns {Promise<FamilyRow>}
     */
    async function holdForReturn(local, server) {
      learnReturn(local, server);
      if (local.status === 'final') {
        markConflict(local, server, 'returned', null);
        await holdOps(local.client_uuid, 'returned');
      }
      return local;
    }

    await db.meta.bulkPut([
      { key: 'cursor', value: body.cursor },
      { key: 'last_sync_at', value: now },
      { key: 'server_time', value: body.server_time ?? null },
      // The PPL and PML for Blok II of new families (staff names, like `user`: in the clear).
      ...(body.team ? [{ key: 'team', value: body.team }] : []),
    ]);
  });
  return summary;
}
