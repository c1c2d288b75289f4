/**
 * The public API of sadsl. The CLI, the HTTP service and the web page use only what is exported here.
 */
export { initEngine, engineInfo, BACKENDS } from './engine/backend.js';
export type { BackendName, EngineInfo } from './engine/backend.js';
export { Rng } from './engine/random.js';
export * from './errors.js';
export * from './config.js';
export type * from './data/types.js';
