// Starts a worker thread from a module beside the caller, both when built (dist/*.js) and
// when run from source under tsx (tests, development), where the new thread must register
// tsx itself before it can load a .ts file.

import { Worker } from 'node:worker_threads';

/** `callerURL` is the caller's import.meta.url; `name` the worker module without extension. */
export function startWorker(callerURL: string, name: string): Worker {
  if (!callerURL.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerURL));
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL(`./${name}.ts`, callerURL).href);
  return new Worker(`import(${tsx}).then((api) => { api.register(); return import(${entry}); });`, { eval: true });
}
