import Module from 'node:module';

/**
 * A stand-in for `@azure/functions-core`, the module the Functions worker injects. With it,
 * `@azure/functions` and `durable-functions` register functions here exactly as they would with
 * the worker: the metadata and the very handler the worker would call. Install before the first
 * registration.
 */
export interface Registration {
  metadata: { name: string; bindings: Record<string, { type: string; direction?: string }> };
  handler: (trigger: unknown, context: unknown) => unknown;
}

export const registry = new Map<string, Registration>();

const CORE_ID = '@azure/functions-core';

const fakeCore = {
  registerFunction(metadata: Registration['metadata'], handler: Registration['handler']) {
    registry.set(metadata.name, { metadata, handler });
    return { dispose: () => registry.delete(metadata.name) };
  },
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerHook: () => ({ dispose() {} }),
  log() {},
};

interface ModuleInternals {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
  _cache: Record<string, unknown>;
  new (id: string): { filename: string; loaded: boolean; exports: unknown };
}

const M = Module as unknown as ModuleInternals;
if (M._cache[CORE_ID] === undefined) {
  const resolve = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === CORE_ID ? CORE_ID : resolve.call(this, request, ...rest);
  };
  const mod = new M(CORE_ID);
  mod.filename = CORE_ID;
  mod.loaded = true;
  mod.exports = fakeCore;
  M._cache[CORE_ID] = mod;
}
