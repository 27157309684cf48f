#!/usr/bin/env node
// The slokit command. SLO files are TypeScript, so the CLI runs under tsx's loader
// (Node 20 cannot strip types by itself); the loader also serves `import` of slos/*.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
