#!/usr/bin/env node
// Runs on Node 24 (the project's pinned runtime), which imports the TypeScript source directly.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
