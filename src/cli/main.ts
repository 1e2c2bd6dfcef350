import '../runtime/node-check.js';
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  tty: { out: process.stdout.isTTY === true, err: process.stderr.isTTY === true },
});
process.exitCode = code;
