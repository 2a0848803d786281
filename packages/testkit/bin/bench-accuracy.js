#!/usr/bin/env node
// The accuracy and speed benchmark (see packages/testkit/src/bench/cli.ts). Needs Node 22.18+ or 24
// (TypeScript type stripping): run it through `npm run bench:accuracy -- ...`.
import { main } from '../src/bench/cli.ts';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
