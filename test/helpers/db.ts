import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { parseEnvVars, type Env } from '../../src/config/env.js';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { clearViews } from '../../src/db/view-cache.js';

/** The server `npm test` started (or TEST_MONGODB_URI): tests never mock mongoose or the driver. */
export function testUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run the tests with `npm test`, which starts the test database');
  return uri;
}

/** Connect this test file to a fresh database of its own, dropped afterwards. */
export function useTestDatabase(label: string): { name: string } {
  const info = { name: `t_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}` };
  before(async () => {
    await connectDatabase(testUri(), info.name);
  });
  after(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await disconnectDatabase();
  });
  return info;
}

/** Clear every collection between tests that need a clean slate. */
export async function clearCollections(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  for (const c of await db.collections()) await c.deleteMany({});
  clearViews(); // this process's derived views were of the data just deleted
}

export function testEnv(overrides: Record<string, string> = {}): Env {
  return parseEnvVars({ MONGODB_URI: testUri(), LOG_LEVEL: 'silent', NODE_ENV: 'test', ...overrides });
}
