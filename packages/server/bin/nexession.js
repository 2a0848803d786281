#!/usr/bin/env node
// Nexession command line. Runs on the Node pinned by the project (npm scripts and npx use it).
import { main } from '../src/cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(`nexession: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
