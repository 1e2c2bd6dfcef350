import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, registerSecrets, scrub } from '../../src/log/logger.js';

function capture(): { stream: Writable; lines: () => string } {
  let out = '';
  const stream = new Writable({ write(chunk, _enc, cb) { out += chunk.toString(); cb(); } });
  return { stream, lines: () => out };
}

test('tokens and keys never reach a log line, as fields or inside text', () => {
  const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.super-secret-token-value';
  registerSecrets([token, 'polygon-key-123456']);
  const c = capture();
  const logger = createLogger({ level: 'info', pretty: false }, c.stream);
  logger.info({ token, env: { DISCORD_TOKEN: token, POLYGON_API_KEY: 'polygon-key-123456' }, headers: { authorization: `Bot ${token}` } }, 'connecting');
  logger.warn(`login failed for token ${token}`);
  logger.error({ err: new Error(`GET https://api.polygon.io/v2?apiKey=polygon-key-123456 failed`) }, 'fetch failed');
  const out = c.lines();
  assert.ok(out.length > 0);
  assert.doesNotMatch(out, /super-secret-token-value/);
  assert.doesNotMatch(out, /polygon-key-123456/);
  assert.match(out, /\[REDACTED\]/);
  assert.equal(out.trim().split('\n').length, 3);
});

test('credentials inside URLs are masked', () => {
  assert.equal(scrub('mongodb://admin:hunter2@db.example:27017/x'), 'mongodb://admin:***@db.example:27017/x');
});

test('an error given as text is logged as text', () => {
  const c = capture();
  createLogger({ level: 'info', pretty: false }, c.stream).warn({ err: 'discord: 503 Service Unavailable' }, 'post not delivered');
  assert.equal(JSON.parse(c.lines()).err, 'discord: 503 Service Unavailable');
});
