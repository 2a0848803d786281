import { buildSet } from './src/bench/test-set.ts';
const t0 = Date.now();
const s = await buildSet({ pages: 1000, seed: 'standard-1000', onProgress: (d, t) => { if (d % 100 === 0) console.log(d, t, (Date.now() - t0) / 1000); } });
console.log('done', s.generatedSeconds, s.hash);
