// Builds the embedded FerretDB helper (tools/localdb) if it is missing or out of date.
import { ensureLocalDbBinary } from '../src/db/localdb-binary.js';

const started = Date.now();
const path = ensureLocalDbBinary();
console.log(`localdb ready: ${path} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
