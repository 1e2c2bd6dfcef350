import { after, before, beforeEach } from 'node:test';
import { ReplayServer } from './replay-server.js';

/** A test file's (or suite's) replay server: started before its tests, routes and requests cleared before each, closed after. */
export function useReplayServer(): ReplayServer {
  const server = new ReplayServer();
  before(() => server.start());
  after(() => server.close());
  beforeEach(() => server.reset());
  return server;
}
