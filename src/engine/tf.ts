/**
 * The one import of TensorFlow.js for the whole project. The `@tensorflow/tfjs` Node bundle registers every
 * gradient on the shared `@tensorflow/tfjs-core` engine (tfjs-core's own ESM gradient registration does
 * not resolve under Node's ESM loader). Backends are registered by `backend.ts`.
 */
export * from '@tensorflow/tfjs';
