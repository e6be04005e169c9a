#!/usr/bin/env node
import { main } from './program.js';

const code = await main(process.argv);
// Let stdout flush, then exit even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
