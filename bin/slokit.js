#!/usr/bin/env node
// The slokit command. SLO files are TypeScript, so the CLI runs under tsx's loader
// (Node 20 cannot strip types by itself); the loader also serves `import` of slos/*.ts.
import { register } from 'tsx/esm/api';

register();
// `slokit ... | head`: the reader went away; stop quietly rather than with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// An SLO file may leave a timer or socket open (a setInterval at load): the work is done, so the run
// ends anyway once output has had time to drain, instead of never.
setTimeout(() => {
  process.stderr.write('slokit: something an SLO file started (a timer, a socket) was still running; exiting anyway\n');
  process.exit();
}, 2000).unref();
