import { resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { backupDatabase, backupDir, restoreDatabase } from '../../db/backup.js';
import { dbNameFromUri, DEFAULT_DB_NAME, nativeDb } from '../../db/connection.js';
import { UserFacingError } from '../../errors.js';
import type { Handler } from '../handler.js';

export const backupHandlers: Record<string, Handler> = {
  async backup(rt, _args, f) {
    const { dir, manifest } = await backupDatabase(nativeDb(), f.out ? resolve(f.out) : backupDir(rt.env), { keep: f.out ? undefined : rt.env.BACKUP_KEEP });
    const total = manifest.collections.reduce((a, c) => a + c.count, 0);
    return {
      data: { dir, manifest },
      post: { kind: 'ops', title: 'Backup written', description: `${dir}\n${manifest.collections.length} collections, ${total} documents`, fields: manifest.collections.map((c) => ({ name: c.name, value: `${c.count} · sha256 ${c.sha256.slice(0, 12)}…`, inline: true })).slice(0, 25) },
    };
  },
  async restore(_rt, args, f) {
    const dir = args[0];
    if (!dir) throw new UserFacingError('USAGE', 'usage: restore DIR --into mongodb://host/db | --local [--drop]');
    if (!f.into === !f.local) throw new UserFacingError('USAGE', 'restore needs exactly one target: --into mongodb://host/db, or --local (the database this command is configured for).');
    if (f.into && !/^mongodb(\+srv)?:\/\//.test(f.into)) throw new UserFacingError('USAGE', `--into must be a MongoDB URI (mongodb://host/db); got "${f.into.slice(0, 40)}".`);
    let client: MongoClient | undefined;
    try {
      let db = nativeDb();
      if (f.into) {
        client = await new MongoClient(f.into, { serverSelectionTimeoutMS: 10_000 }).connect();
        db = client.db(dbNameFromUri(f.into) ?? DEFAULT_DB_NAME);
      }
      const r = await restoreDatabase(db, resolve(dir), { drop: f.drop });
      return {
        data: r,
        post: { kind: 'ops', title: `Restored into ${r.database}`, description: `${r.collections.length} collections, ${r.collections.reduce((a, c) => a + c.count, 0)} documents`, fields: r.collections.map((c) => ({ name: c.name, value: String(c.count), inline: true })).slice(0, 25) },
      };
    } finally {
      await client?.close();
    }
  },
};
