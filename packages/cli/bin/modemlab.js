#!/usr/bin/env node
// Launcher: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
