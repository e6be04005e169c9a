import { readFileSync } from 'node:fs';

/**
 * The CLI package's version, read from its package.json: `src/` and the built `dist/` both sit
 * one level below it, so one relative URL serves the sources and the installed package.
 */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('modemlab: package.json has no version');
  return pkg.version;
}
