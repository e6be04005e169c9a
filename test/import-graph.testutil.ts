import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file lives in test/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One import of one source file: `from` and `to` are paths from the repository root, or `node:x` / a package name. */
export interface ImportEdge {
  from: string;
  to: string;
  /** The specifier as written. */
  specifier: string;
}

/** Test files and test utilities compose whole modules on purpose: the layer rules are about product code. */
export const isTestFile = (path: string): boolean => /\.(test|testutil)\.ts$/.test(path);

/** Every .ts file under packages/<name>/src, relative to the root, sorted. */
export function sourceFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules') continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(root, full));
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    if (existsSync(src)) walk(src);
  }
  return out.sort();
}

const BUILTINS = new Set(builtinModules);

/** Our workspace packages by import name: `@modemlab/at` -> packages/at/src/index.ts. */
function workspaceEntry(specifier: string, root: string): string | undefined {
  const m = /^@modemlab\/([^/]+)$/.exec(specifier);
  if (!m) return undefined;
  const entry = join('packages', m[1]!, 'src', 'index.ts');
  return existsSync(join(root, entry)) ? entry : undefined;
}

/** A relative specifier as the file it names (`./x.js` -> x.ts, `./dir` -> dir/index.ts). */
function resolveRelative(fromFile: string, specifier: string, root: string): string {
  const base = join(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile()) ?? base;
}

/**
 * Every import of `file`: static imports, `import type`, re-exports (`export ... from`),
 * dynamic `import()` and `import('x').T` type queries, as TypeScript's own pre-processor
 * finds them (comments and strings are not mistaken for imports).
 */
export function importsOf(file: string, root = ROOT): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map(({ fileName: specifier }) => {
    let to: string;
    if (specifier.startsWith('.')) to = resolveRelative(file, specifier, root);
    else if (specifier.startsWith('node:')) to = specifier;
    else if (BUILTINS.has(specifier)) to = `node:${specifier}`;
    else to = workspaceEntry(specifier, root) ?? specifier;
    return { from: file, to, specifier };
  });
}

/** The whole graph of the given files. */
export function importGraph(files: readonly string[], root = ROOT): ImportEdge[] {
  return files.flatMap((f) => importsOf(f, root));
}

/**
 * Import cycles among source files: each strongly connected component of more than one
 * file (or a file importing itself), as sorted file lists (Tarjan's algorithm).
 */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!e.to.endsWith('.ts')) continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || (next.get(v) ?? []).includes(v)) out.push(scc.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}
