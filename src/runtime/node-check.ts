/**
 * The runtime this project is built and tested on: Node 24 LTS (package.json `engines`; `npm ci` brings it
 * as the node-linux-* package and every npm script runs on it). Imported first by each entry point, so an
 * older `node` stops here with one line instead of failing somewhere deep.
 */
export const MIN_NODE_MAJOR = 24;

const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_NODE_MAJOR) {
  process.stderr.write(
    `signaldesk needs Node.js ${MIN_NODE_MAJOR} or newer (this is ${process.version}): run it through npm (npm run cli -- …, npm start), which uses the Node ${MIN_NODE_MAJOR} that npm ci installed, or install Node ${MIN_NODE_MAJOR} LTS.\n`,
  );
  process.exit(2);
}
