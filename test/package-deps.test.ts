/**
 * Each package declares what its shipped code imports (dependencies or peers), so a packed
 * package installs and runs alone: the fast check of what test/pack.e2e.test.ts proves by
 * installing. Tests, *.testutil.ts and testing/ folders are not shipped and not checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shipped = (f: string): boolean => f.endsWith('.ts') && !/\.test\.ts$|\.testutil\.ts$/.test(f) && !f.split(path.sep).includes('testing');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : shipped(p) ? [p] : [];
  });
}

/** Bare package names a file imports (static `from '...'`, dynamic `import('...')`). */
function importedPackages(text: string): string[] {
  const specs = [...text.matchAll(/\bfrom\s+'([^'.][^']*)'/g), ...text.matchAll(/(?<![.\w])import\(\s*'([^'.][^']*)'\s*\)/g)].map((m) => m[1]!);
  return specs
    .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s.split('/')[0]!))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

for (const name of ['at', 'module', 'sdk', 'cloud', 'cli']) {
  test(`@modemlab/${name} declares every package its shipped code imports`, () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const missing = new Map<string, string>();
    for (const file of sources(path.join(root, 'packages', name, 'src'))) {
      for (const pkg of importedPackages(fs.readFileSync(file, 'utf8'))) {
        if (!declared.has(pkg) && !missing.has(pkg)) missing.set(pkg, path.relative(root, file));
      }
    }
    assert.deepEqual(Object.fromEntries(missing), {}, 'imported but not declared (package -> first file)');
  });
}

test('serialport is an optional peer wherever it is used: TCP users never build it', () => {
  for (const name of ['sdk', 'cli']) {
    const m = JSON.parse(fs.readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8'));
    assert.equal(m.dependencies?.serialport, undefined);
    assert.ok(m.peerDependencies?.serialport);
    assert.equal(m.peerDependenciesMeta?.serialport?.optional, true);
  }
});

test('the CLI declares what its bin bundle inlines needs: the dependencies and peers of @modemlab/at, module, sdk', async () => {
  // scripts/bundle-cli.ts inlines these packages' code into the CLI's bin; their imports then resolve from the CLI's place.
  const { INLINED } = await import('../scripts/bundle-cli.js');
  const read = (name: string) => JSON.parse(fs.readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const cli = read('cli');
  const declared = { ...cli.dependencies, ...cli.peerDependencies };
  const missing: string[] = [];
  for (const name of INLINED) {
    const m = read(name);
    for (const [pkg, range] of Object.entries({ ...m.dependencies, ...m.peerDependencies })) if (declared[pkg] !== range) missing.push(`${pkg}@${range} (${name})`);
  }
  assert.deepEqual(missing, []);
});
