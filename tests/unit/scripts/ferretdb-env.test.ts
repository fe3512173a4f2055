import { afterEach, describe, expect, it } from 'vitest';
import { ferretdbEnv } from '../../../scripts/services.ts';

describe('ferretdbEnv', () => {
  const saved = process.env.FERRETDB_GOGC;
  afterEach(() => {
    if (saved === undefined) delete process.env.FERRETDB_GOGC;
    else process.env.FERRETDB_GOGC = saved;
  });

  it('starts FerretDB with GOGC=400 unless FERRETDB_GOGC says otherwise, keeping the rest of the environment', () => {
    delete process.env.FERRETDB_GOGC;
    const env = ferretdbEnv();
    expect(env.GOGC).toBe('400');
    expect(env.PATH).toBe(process.env.PATH);
    process.env.FERRETDB_GOGC = '150';
    expect(ferretdbEnv().GOGC).toBe('150');
  });
});
