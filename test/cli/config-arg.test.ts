import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/cli/common.js';

describe('--config', () => {
  it('reads a file, or the JSON itself when the value starts with {', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sadsl-config-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, '{"train":{"lambdaCluster":1}}');
    expect(await readConfigFile(file)).toEqual({ train: { lambdaCluster: 1 } });
    expect(await readConfigFile(' {"model":{"K":8}}')).toEqual({ model: { K: 8 } });
  });

  it('names what is wrong: an absent file, JSON that is not an object', async () => {
    await expect(readConfigFile('/nonexistent/c.json')).rejects.toThrow('--config: cannot read /nonexistent/c.json');
    await expect(readConfigFile('{"train":')).rejects.toThrow('--config: the value is not a JSON object');
    const dir = mkdtempSync(join(tmpdir(), 'sadsl-config-'));
    writeFileSync(join(dir, 'a.json'), '[1, 2]');
    await expect(readConfigFile(join(dir, 'a.json'))).rejects.toThrow(`--config: ${join(dir, 'a.json')} is not a JSON object`);
  });
});
