// A separate process for the watchlist concurrency test: connects to the test database and adds
// `count` rules to one member as fast as it can, printing what each add answered as one JSON line.
import { addWatch } from '../../src/analysis/watch-service.js';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { UserFacingError } from '../../src/errors.js';

const [uri, dbName, userId, count] = process.argv.slice(2) as [string, string, string, string];
await connectDatabase(uri, dbName);
const answers: Array<number | string> = [];
for (let i = 0; i < Number(count); i++) {
  try {
    answers.push((await addWatch(userId, 'SPX', 'move-over', 1 + i)).id);
  } catch (err) {
    if (!(err instanceof UserFacingError)) throw err;
    answers.push(err.code);
  }
}
await disconnectDatabase();
process.stdout.write(`${JSON.stringify(answers)}\n`);
