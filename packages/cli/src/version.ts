import { existsSync, readFileSync } from 'node:fs';

/**
 * The CLI package's version, read from its package.json: `src/` and the built `dist/` sit one
 * level below it, the installed bin bundle (`dist/bin/`, scripts/bundle-cli.ts) two.
 */
export function cliVersion(): string {
  const file = ['../package.json', '../../package.json'].map((rel) => new URL(rel, import.meta.url)).find((u) => existsSync(u));
  if (!file) throw new Error('modemlab: package.json not found');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('modemlab: package.json has no version');
  return pkg.version;
}
