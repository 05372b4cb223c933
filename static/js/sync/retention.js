// @ts-check
/**
 * Keep only what is needed (docs/pwa.md, "Retention"): a family the PML approved leaves the phone
 * a grace period after the phone first saw the approval (`APPROVED_RETENTION_HOURS` on the server,
 * 24 h by default), with its photos, its op, and its geotag when no other family on the phone
 * uses it. What stays is a row in `retired` (its UUID, SLS and status: the counts per SLS and the
 * VK1 list still show it) and its VK1 mark. Only a family with nothing unsent goes: its working
 * copy is the server's (`sent`), its op, photos and VK1 mark are all acknowledged.
 */

/** @typedef {import('./db.js').RegsosekDB} RegsosekDB */
/** @typedef {import('./db.js').FamilyRow} FamilyRow */

export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Starts the grace period of newly approved families and removes those whose period is over, in
 * one transaction.
 * @param {RegsosekDB} db
 * @param {{now: number, graceMs?: number | null}} options  graceMs null or negative: keep everything
 * @returns {Promise<{started: number, retired: number}>}
 */
export async function retireApproved(db, { now, graceMs = DEFAULT_RETENTION_MS }) {
  const summary = { started: 0, retired: 0 };
  if (graceMs === null || graceMs < 0) return summary;
  await db.transaction('rw', [db.families, db.outbox, db.photos, db.marks, db.geotags, db.retired], async () => {
    const sent = await db.families.where('status').equals('sent').toArray();
    for (const family of sent) {
      if (family.server_status !== 'approved') continue;
      if (typeof family.approved_seen_at !== 'number') {
        family.approved_seen_at = now;
        await db.families.put(family);
        summary.started += 1;
        continue;
      }
      if (now - family.approved_seen_at < graceMs || !(await settled(db, family))) continue;
      await db.families.delete(family.client_uuid);
      await db.outbox.where('client_uuid').equals(family.client_uuid).delete();
      await db.photos.where('family_uuid').equals(family.client_uuid).delete();
      if (family.geotag_uuid) {
        const uuid = family.geotag_uuid;
        const others = await db.families.where('sls').equals(family.sls).filter((f) => f.geotag_uuid === uuid).count();
        if (others === 0) await db.geotags.delete(uuid);
      }
      await db.retired.put({ client_uuid: family.client_uuid, sls: family.sls, server_status: 'approved', retired_at: now });
      summary.retired += 1;
    }
  });
  return summary;
}

/**
 * Nothing of the family waits to be sent: its op, photos and VK1 marks are acknowledged.
 * @param {RegsosekDB} db
 * @param {FamilyRow} family
 * @returns {Promise<boolean>}
 */
async function settled(db, family) {
  const op = await db.outbox.where('client_uuid').equals(family.client_uuid).first();
  if (op && op.status !== 'sent') return false;
  const photos = await db.photos.where('family_uuid').equals(family.client_uuid).toArray();
  if (photos.some((p) => p.status !== 'sent')) return false;
  const marks = await db.marks.where('family_uuid').equals(family.client_uuid).toArray();
  return marks.every((m) => m.state === 'sent');
}

/**
 * What the phone holds, by kind and SLS, for the "Data di ponsel ini" screen. Counts only.
 * @param {RegsosekDB} db
 * @returns {Promise<{families: number, approvedWaiting: number, retired: number, photos: number,
 *   geotags: number, prelist: number, marks: number, bySls: Map<number, {families: number, retired: number}>}>}
 */
export async function storedSummary(db) {
  return db.transaction('r', [db.families, db.photos, db.geotags, db.prelist, db.marks, db.retired], async () => {
    const families = await db.families.toArray();
    const retired = await db.retired.toArray();
    /** @type {Map<number, {families: number, retired: number}>} */
    const bySls = new Map();
    const of = (/** @type {number} */ sls) => bySls.get(sls) ?? bySls.set(sls, { families: 0, retired: 0 }).get(sls);
    for (const f of families) /** @type {{families: number}} */ (of(f.sls)).families += 1;
    for (const r of retired) /** @type {{retired: number}} */ (of(r.sls)).retired += 1;
    return {
      families: families.length,
      approvedWaiting: families.filter((f) => f.server_status === 'approved').length,
      retired: retired.length,
      photos: await db.photos.count(),
      geotags: await db.geotags.count(),
      prelist: await db.prelist.count(),
      marks: await db.marks.count(),
      bySls,
    };
  });
}
