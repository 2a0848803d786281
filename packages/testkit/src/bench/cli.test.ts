import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportDir } from './cli.ts';

describe('bench:accuracy reports', () => {
  it('go to var/benchmarks for ad-hoc runs; docs/benchmarks only for the standard set or when asked', () => {
    expect(reportDir({ standard: false }, '/repo', '/repo')).toBe(path.join('/repo', 'var/benchmarks'));
    expect(reportDir({ standard: true }, '/repo', '/repo')).toBe(path.join('/repo', 'docs/benchmarks'));
    expect(reportDir({ standard: false, out: 'docs/benchmarks' }, '/repo', '/repo')).toBe('/repo/docs/benchmarks');
    expect(reportDir({ standard: true, out: '/tmp/x' }, '/repo', '/repo')).toBe('/tmp/x');
  });
});
