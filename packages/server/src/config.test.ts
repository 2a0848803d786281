import os from 'node:os';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { configFor } from './cli.ts';
import { DEMO_VAR_DIR, loadConfig, readerThreads } from './config.ts';

describe('configuration', () => {
  it('reads with one thread per core unless READER_THREADS says otherwise', () => {
    expect(readerThreads({})).toBe(os.availableParallelism());
    expect(readerThreads({ READER_THREADS: '' })).toBe(os.availableParallelism());
    expect(readerThreads({ READER_THREADS: '3' })).toBe(3);
    expect(readerThreads({ READER_THREADS: '0' })).toBe(0);
    expect(() => readerThreads({ READER_THREADS: 'many' })).toThrow(/non-negative integer/);
    expect(loadConfig({}, '/tmp').readerThreads).toBe(os.availableParallelism());
  });

  it('boxes break-glass to 30 minutes by default and never past 4 hours', () => {
    expect(loadConfig({}, '/tmp')).toMatchObject({ breakGlassMinutes: 30, breakGlassMaxMinutes: 240 });
    expect(loadConfig({ BREAK_GLASS_MINUTES: '15', BREAK_GLASS_MAX_MINUTES: '60' }, '/tmp')).toMatchObject({ breakGlassMinutes: 15, breakGlassMaxMinutes: 60 });
    expect(() => loadConfig({ BREAK_GLASS_MAX_MINUTES: '300' }, '/tmp')).toThrow(/between 1 and 240/);
    expect(() => loadConfig({ BREAK_GLASS_MINUTES: '90', BREAK_GLASS_MAX_MINUTES: '60' }, '/tmp')).toThrow(/BREAK_GLASS_MINUTES/);
  });

  it('keeps the demo in a data folder of its own unless NEXESSION_VAR_DIR names one', () => {
    // `npm start` and `npm run demo` side by side: the demo never opens the real folder.
    expect(configFor('start', {}, '/srv/nx').varDir).toBe('/srv/nx/var');
    const demo = configFor('demo', {}, '/srv/nx');
    expect(demo.varDir).toBe(path.join('/srv/nx', DEMO_VAR_DIR));
    expect(demo.inboxDir).toBe('/srv/nx/var-demo/inbox');
    expect(configFor('demo', { NEXESSION_VAR_DIR: 'elsewhere' }, '/srv/nx').varDir).toBe('/srv/nx/elsewhere');
  });
});
