/**
 * Pretest guard: the tests must run on the Node major that Lambda runs (nodejs24.x).
 * The pinned binary comes from the `node` devDependency's install script; an install
 * with --ignore-scripts silently falls back to the machine's Node, which this catches.
 */
const expected = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major !== expected) {
  process.stderr.write(
    `check-node: running on Node ${process.version}, but the tests need Node ${expected}.x (the Lambda runtime).\n` +
      'Run `npm ci` (without --ignore-scripts) so node_modules/.bin/node is the pinned binary.\n',
  );
  process.exit(1);
}
process.stdout.write(`check-node: Node ${process.version} ok\n`);
