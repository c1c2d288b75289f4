import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, modelConfigSchema, parseConfig, resolveConfigs, specDefaults } from '../../src/config.js';
import { ArgumentError } from '../../src/errors.js';

describe('spec resolution', () => {
  it('gives a new run the default spec and its defaults', () => {
    const { model, train } = resolveConfigs();
    expect(model.spec).toBe(DEFAULT_SPEC);
    const d = specDefaults(DEFAULT_SPEC);
    expect(model).toMatchObject(d.model);
    expect(train).toMatchObject(d.train);
  });

  it('keeps v2 selectable: its fields are the schemas’ defaults', () => {
    const { model, train } = resolveConfigs({ spec: 'v2' });
    expect(model).toEqual(parseConfig(modelConfigSchema, {}, 'model config'));
    expect(model.proxies).toBe(false);
    expect(train.lambdaProxy).toBe(0);
  });

  it('lets fields given override the spec’s defaults', () => {
    const { model, train } = resolveConfigs({ spec: 'v3', proxies: true, K: 8 }, { lambdaProxy: 0.25 });
    expect(model.K).toBe(8);
    expect(train.lambdaProxy).toBe(0.25);
  });

  it('names a bad spec', () => {
    expect(() => resolveConfigs({ spec: 'v9' as never })).toThrow(ArgumentError);
    expect(() => resolveConfigs({ spec: 'v9' as never })).toThrow(/spec/);
  });

  it('reads a stored config without a spec field as v2', () => {
    expect(parseConfig(modelConfigSchema, { K: 4 }, 'model config').spec).toBe('v2');
  });
});
