/**
 * Stands in for the `torch` test project (vitest.config.ts) when the native addon is not built: the model,
 * training-resume and save/load tests on torch are reported as skipped, with the reason.
 */
import { it } from 'vitest';

it.skip(`model, training-resume and save/load tests on the torch backend (skipped: ${process.env.SADSL_TORCH_MISSING}; apt-get install libtorch-dev, then npm run build:native)`, () => {});
