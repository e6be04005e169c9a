/**
 * `npm run pack`: builds every package (tsc -b) and packs the publishable ones into
 * tarballs. A workspace's package.json points at its sources for development; the staged
 * copy gets its `publishConfig` (exports, types and bin into dist/), loses `private` and
 * `scripts`, and carries dist/, the package README (or the repository's) and the LICENSE.
 *
 *   tsx scripts/pack.ts [--out DIR] [--no-build] [name...]   (names: at module sdk cloud cli)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Dependency order: a package's dependencies are packed before it. */
export const PACKAGES = ['at', 'module', 'sdk', 'cloud', 'cli'] as const;
export type PackageDir = (typeof PACKAGES)[number];

/** The docs pages the repository's README links to. */
const README_DOCS = ['guide.md', 'architecture.md', 'commands.md'];

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  scripts?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
  files?: string[];
  [key: string]: unknown;
}

/** The manifest a registry would get: publishConfig applied, development-only fields gone. */
export function publishManifest(source: Manifest): Manifest {
  const { private: _private, scripts: _scripts, publishConfig, ...rest } = source;
  return { ...rest, ...(publishConfig ?? {}) };
}

/** tsc -b over every package (incremental: a second run with nothing changed is quick). */
export function build(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/** Stages and packs `names` into `outDir`; returns the tarball paths in dependency order. */
export function pack(outDir: string, names: readonly PackageDir[] = PACKAGES, opts: { build?: boolean } = {}): string[] {
  if (opts.build !== false) build();
  fs.mkdirSync(outDir, { recursive: true });
  const stageRoot = fs.mkdtempSync(path.join(outDir, 'stage-'));
  try {
    return PACKAGES.filter((n) => names.includes(n)).map((name) => {
      const dir = path.join(ROOT, 'packages', name);
      if (!fs.existsSync(path.join(dir, 'dist', 'index.js'))) throw new Error(`packages/${name}/dist is missing: build first`);
      const stage = path.join(stageRoot, name);
      fs.cpSync(path.join(dir, 'dist'), path.join(stage, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.tsbuildinfo') });
      // The CLI's bin is one bundle (start time): scripts/bundle-cli.ts.
      if (name === 'cli') execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bundle-cli.ts'), path.join(stage, 'dist', 'bin')], { cwd: ROOT, stdio: 'inherit' });
      // Plain files served as they are (the CLI's lab console page: no build chain).
      if (fs.existsSync(path.join(dir, 'console-ui'))) fs.cpSync(path.join(dir, 'console-ui'), path.join(stage, 'console-ui'), { recursive: true });
      const ownReadme = fs.existsSync(path.join(dir, 'README.md'));
      fs.copyFileSync(ownReadme ? path.join(dir, 'README.md') : path.join(ROOT, 'README.md'), path.join(stage, 'README.md'));
      // The repository's README links into docs/ (the guide, the command reference): ship those
      // pages beside it so its links work in the installed package too.
      if (!ownReadme) for (const page of README_DOCS) fs.cpSync(path.join(ROOT, 'docs', page), path.join(stage, 'docs', page));
      fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(stage, 'LICENSE'));
      const manifest = publishManifest(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest);
      if (!ownReadme) manifest.files = [...(manifest.files ?? []), 'docs'];
      fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', path.resolve(outDir)], { cwd: stage, encoding: 'utf8' });
      const [info] = JSON.parse(out) as Array<{ filename: string }>;
      return path.join(path.resolve(outDir), info!.filename);
    });
  } finally {
    fs.rmSync(stageRoot, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt >= 0 ? args[outAt + 1]! : path.join(ROOT, '.pack');
  const names = args.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1)) as PackageDir[];
  for (const n of names) if (!PACKAGES.includes(n)) throw new Error(`unknown package '${n}' (${PACKAGES.join(', ')})`);
  for (const file of pack(outDir, names.length > 0 ? names : PACKAGES, { build: !args.includes('--no-build') })) console.log(file);
}
