import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cycles, importGraph, importsOf, isTestFile, sourceFiles, type ImportEdge } from './import-graph.testutil.js';

/**
 * The dependency rules of docs/architecture.md ("The rules"), read from the imports of every
 * product file of packages/<name>/src: static imports, `import type`, re-exports and dynamic
 * imports alike. A type-only edge is an edge: it is how a layer learns the shape of the one
 * above it, and how import circles start.
 */

type Layer =
  | 'at'
  | 'link'
  | 'models'
  | 'engine'
  | 'nvm'
  | 'services'
  | 'module-host'
  | 'dialect-api'
  | 'dialects/shared'
  | 'dialects/ublox'
  | 'dialects/telit'
  | 'dialects/quectel'
  | 'dialect-registry'
  | 'transports'
  | 'root'
  | 'testing'
  | 'sdk'
  | 'cloud'
  | 'cli';

const MODULE = 'packages/module/src/';

/** The layer a file belongs to; undefined for a path outside every layer (the test fails on it). */
export function layerOf(path: string): Layer | undefined {
  if (path.startsWith('packages/at/src/')) return 'at';
  if (path.startsWith('packages/sdk/src/')) return 'sdk';
  if (path.startsWith('packages/cloud/src/')) return 'cloud';
  if (path.startsWith('packages/cli/src/')) return 'cli';
  if (!path.startsWith(MODULE)) return undefined;
  const p = path.slice(MODULE.length);
  const dir = p.split('/')[0]!;
  if (['link', 'models', 'engine', 'nvm', 'services', 'transports', 'testing'].includes(dir)) return dir as Layer;
  if (p === 'module-host.ts') return 'module-host';
  if (p === 'dialects/types.ts') return 'dialect-api';
  if (p === 'dialects/index.ts') return 'dialect-registry';
  if (/^dialects\/(shared|ublox|telit|quectel)\//.test(p)) return `dialects/${p.split('/')[1]}` as Layer;
  if (['module.ts', 'command-table.ts', 'index.ts', 'lab-control.ts'].includes(p)) return 'root';
  return undefined;
}

const VENDORS: readonly Layer[] = ['dialects/ublox', 'dialects/telit', 'dialects/quectel'];
const MODULE_LAYERS: readonly Layer[] = [
  'link',
  'models',
  'engine',
  'nvm',
  'services',
  'module-host',
  'dialect-api',
  'dialects/shared',
  ...VENDORS,
  'dialect-registry',
  'transports',
  'root',
];
/** What a dialect may see: the AT language, pipes to push, the terminal's context, its host, services and tables. */
const DIALECT_BASE: readonly Layer[] = ['at', 'link', 'engine', 'module-host', 'services', 'models', 'dialect-api', 'dialects/shared'];

/** Which layers each layer may import (itself always). Everything else is forbidden. */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  at: [],
  link: ['at'],
  models: ['at'],
  engine: ['at', 'link'],
  nvm: ['at'],
  services: ['at', 'link', 'models', 'nvm'],
  'module-host': ['at', 'link', 'engine', 'models', 'nvm', 'services'],
  'dialect-api': ['at', 'link', 'engine', 'module-host', 'models', 'services'],
  'dialects/shared': DIALECT_BASE,
  'dialects/ublox': DIALECT_BASE,
  'dialects/telit': DIALECT_BASE,
  'dialects/quectel': DIALECT_BASE,
  'dialect-registry': ['models', 'dialect-api', ...VENDORS],
  transports: ['at', 'link'],
  root: ['at', ...MODULE_LAYERS],
  testing: ['at', ...MODULE_LAYERS],
  sdk: ['at'],
  cloud: ['at'],
  cli: ['at', ...MODULE_LAYERS, 'testing', 'sdk', 'cloud'],
};

const NETWORK = ['node:net', 'node:tls', 'node:dgram'];
const IO = [...NETWORK, 'node:fs', 'node:fs/promises', 'node:child_process', 'node:http', 'node:https'];

/** Node built-ins a layer must not import: the AT language has no I/O, a model is data, a handler never touches a socket. */
const NEVER_BUILTIN: Partial<Record<Layer, (spec: string) => boolean>> = {
  at: (s) => IO.includes(s),
  models: (s) => s.startsWith('node:'),
  link: (s) => NETWORK.includes(s),
  engine: (s) => IO.includes(s),
  'dialects/shared': (s) => NETWORK.includes(s),
  'dialects/ublox': (s) => NETWORK.includes(s),
  'dialects/telit': (s) => NETWORK.includes(s),
  'dialects/quectel': (s) => NETWORK.includes(s),
};

/** Layers that import no npm package at all: the pure ones. */
const NO_PACKAGES: readonly Layer[] = ['at', 'models'];

/**
 * Edges today's code still has that the rules forbid, as `from -> to`: the link layer,
 * the module host and the dialer (issue 8) remove them. An edge listed here that is gone
 * fails the test too, so the list only shrinks, to empty.
 */
export const KNOWN_PENDING: readonly string[] = ([] as string[]).map((edge) =>
  edge.replace(/^(\S+) -> (\S+)$/, (_, a: string, b: string) => `${m(a)} -> ${m(b)}`),
);

/** A path of packages/module/src (or a node built-in) as the graph names it. */
function m(p: string): string {
  return p.startsWith('node:') ? p : `${MODULE}${p}`;
}

/**
 * Import circles inside one layer that today's code still has (the set of files of each),
 * for the layer's owner to break; like KNOWN_PENDING, a listed circle that is gone fails.
 */
export const KNOWN_PENDING_CYCLES: readonly (readonly string[])[] = [
];

const edgeText = (e: ImportEdge): string => `${e.from} -> ${e.to}`;

/** Why an edge breaks the rules, or undefined when it keeps them. */
export function violation(e: ImportEdge): string | undefined {
  const from = layerOf(e.from);
  if (!from) return `${e.from} belongs to no layer`;
  if (e.to.startsWith('node:')) return NEVER_BUILTIN[from]?.(e.to) ? `${from} never imports ${e.to}` : undefined;
  if (!e.to.endsWith('.ts')) return NO_PACKAGES.includes(from) ? `${from} imports no package (${e.specifier})` : undefined;
  const to = layerOf(e.to);
  if (!to) return `${e.to} belongs to no layer`;
  if (to === from || MAY_IMPORT[from].includes(to)) return undefined;
  return `${from} may not import ${to}`;
}

const files = sourceFiles();
const productFiles = files.filter((f) => !isTestFile(f));
const edges = importGraph(productFiles);

describe('layers: the dependency rules hold', () => {
  it('every product file belongs to a layer', () => {
    assert.deepEqual(
      productFiles.filter((f) => !layerOf(f)),
      [],
    );
  });

  it('reads every kind of import: type-only, re-export, dynamic, type query, workspace package, built-in', () => {
    const root = mkdtempSync(join(tmpdir(), 'modemlab-layers-'));
    try {
      const src = join(root, 'packages', 'module', 'src');
      mkdirSync(join(src, 'dir'), { recursive: true });
      mkdirSync(join(root, 'packages', 'at', 'src'), { recursive: true });
      for (const f of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'dir/index.ts']) writeFileSync(join(src, f), '');
      writeFileSync(join(root, 'packages', 'at', 'src', 'index.ts'), '');
      writeFileSync(
        join(src, 'x.ts'),
        [
          "import type { A } from './a.js';",
          "export * from './b.js';",
          "const c = await import('./c.js');",
          "type D = import('./d.js').D;",
          "import { e } from './dir';",
          "import { q } from '@modemlab/at';",
          "import { isIP } from 'net';",
          "// import { no } from './commented.js';",
          "const text = \"import { no } from './in-a-string.js'\";",
        ].join('\n'),
      );
      const to = importsOf('packages/module/src/x.ts', root).map((e) => e.to);
      const m2 = (f: string) => `packages/module/src/${f}`;
      assert.deepEqual(to, [m2('a.ts'), m2('b.ts'), m2('c.ts'), m2('d.ts'), m2('dir/index.ts'), 'packages/at/src/index.ts', 'node:net']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds the product files of every package', () => {
    // Guards the walk itself: these edges exist in today's code.
    const kinds = new Set(edges.map((e) => e.to));
    assert.ok(productFiles.length > 100, `only ${productFiles.length} files found`);
    assert.ok(kinds.has('packages/at/src/index.ts'), 'a workspace package import resolves');
    assert.ok(edges.some((e) => e.from.endsWith('module/src/index.ts')), 'index.ts re-exports are read');
  });

  it('no edge the rules forbid, except the pending ones', () => {
    const found = edges.filter((e) => violation(e)).map((e) => `${edgeText(e)}  (${violation(e)})`);
    const unexpected = found.filter((f) => !KNOWN_PENDING.includes(f.split('  (')[0]!));
    assert.deepEqual(unexpected, [], 'new edges against the rules');
  });

  it('every pending edge still exists: remove it from KNOWN_PENDING once it is gone', () => {
    const bad = new Set(edges.filter((e) => violation(e)).map(edgeText));
    assert.deepEqual(
      KNOWN_PENDING.filter((p) => !bad.has(p)),
      [],
    );
  });

  it('no import circle among product files (pending edges aside)', () => {
    const kept = edges.filter((e) => !KNOWN_PENDING.includes(edgeText(e)));
    const key = (c: readonly string[]) => c.join(' <-> ');
    const found = cycles(kept).map(key);
    const pending = KNOWN_PENDING_CYCLES.map(key);
    assert.deepEqual(
      found.filter((c) => !pending.includes(c)),
      [],
      'new import circles',
    );
    assert.deepEqual(
      pending.filter((c) => !found.includes(c)),
      [],
      'a pending circle is gone: remove it from KNOWN_PENDING_CYCLES',
    );
  });

  it('the cycle finder finds a circle, a self-import and nothing in a tree', () => {
    const e = (from: string, to: string): ImportEdge => ({ from, to, specifier: to });
    assert.deepEqual(cycles([e('a.ts', 'b.ts'), e('b.ts', 'c.ts'), e('c.ts', 'a.ts'), e('c.ts', 'd.ts')]), [['a.ts', 'b.ts', 'c.ts']]);
    assert.deepEqual(cycles([e('a.ts', 'a.ts')]), [['a.ts']]);
    assert.deepEqual(cycles([e('a.ts', 'b.ts'), e('a.ts', 'c.ts'), e('b.ts', 'c.ts')]), []);
  });

  it('the rules reject what they should', () => {
    const e = (from: string, to: string): ImportEdge => ({ from: m(from), to: m(to), specifier: to });
    assert.match(violation(e('dialects/telit/basic.ts', 'dialects/ublox/power.ts')) ?? '', /may not import dialects\/ublox/);
    assert.match(violation(e('models/telit.ts', 'dialects/telit/index.ts')) ?? '', /models may not import/);
    assert.match(violation(e('models/bc66.ts', 'node:crypto')) ?? '', /never imports node:crypto/);
    assert.match(violation(e('dialects/quectel/ssl.ts', 'node:tls')) ?? '', /never imports node:tls/);
    assert.match(violation(e('services/dns.ts', 'engine/terminal.ts')) ?? '', /services may not import engine/);
    assert.match(violation({ from: 'packages/sdk/src/index.ts', to: m('module.ts'), specifier: '' }) ?? '', /sdk may not import root/);
    assert.equal(violation(e('dialects/telit/basic.ts', 'dialects/shared/v250.ts')), undefined);
    assert.equal(violation(e('services/tls/profiles.ts', 'models/cipher-suites.ts')), undefined);
  });
});
