// Registers tsx's loader in the worker thread (loaders registered on the main thread do not reach
// workers in Node 20), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-thread-worker.ts');
