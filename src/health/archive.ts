import { join } from 'node:path';
import type { Db, Document } from 'mongodb';
import { writeCollections, verifyBackup } from '../db/backup.js';
import { bumpRevisions } from '../db/data-revision.js';
import { archiveSelection } from './maintenance.js';

export interface ArchiveReport {
  dir: string;
  moved: Array<{ name: string; count: number }>;
}

/**
 * Move records past retention (daily job runs, sent posts, scan results) into archive/YYYY-MM/ in the
 * backup format (restorable with `restore`), check the written files against their manifest, and
 * only then delete what was written, by the same filters and the ids that were archived.
 */
export async function archiveMonth(db: Db, archiveRoot: string, now = new Date()): Promise<ArchiveReport> {
  const month = now.toISOString().slice(0, 7);
  const dir = join(archiveRoot, month, `archive-${now.toISOString().replace(/[:.]/g, '-')}`);
  const specs = archiveSelection(now);
  // The ids first: documents that arrive between writing and deleting are left for next month.
  const ids = new Map<string, Document['_id'][]>();
  for (const s of specs) ids.set(s.name, (await db.collection(s.name).find(s.filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  const manifest = await writeCollections(db, dir, specs.map((s) => ({ name: s.name, filter: { _id: { $in: ids.get(s.name)! } } })), now);
  await verifyBackup(dir);
  const moved: ArchiveReport['moved'] = [];
  for (const c of manifest.collections) {
    const list = ids.get(c.name)!;
    for (let i = 0; i < list.length; i += 500) await db.collection(c.name).deleteMany({ _id: { $in: list.slice(i, i + 500) } } as Document);
    moved.push({ name: c.name, count: c.count });
  }
  if (moved.some((m) => m.count > 0)) await bumpRevisions(['trades', 'bars'], db);
  return { dir, moved };
}
