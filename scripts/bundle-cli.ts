/**
 * The installed `modemlab` bin: packages/cli/dist/main.js bundled with esbuild, the workspace
 * packages it runs (@modemlab/at, module, sdk: their dist/) inlined, every other package left
 * to the installed node_modules. Code splitting keeps each dynamic import a chunk of its own,
 * so what the CLI loads only when used (the lab, the console, the SDK's cloud client...) stays
 * out of the start, and a package imported only there is not hoisted into it. One file instead
 * of ~300 is what makes the start fast (docs/architecture.md "Start time", bench/cli-start.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Workspace packages inlined from their dist/; @modemlab/cloud is an optional peer, left external. */
export const INLINED = ['at', 'module', 'sdk'];

function workspaceDist(root: string): Plugin {
  return {
    name: 'modemlab-workspace',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const ours = /^@modemlab\/([a-z]+)$/.exec(args.path);
        if (ours && INLINED.includes(ours[1]!)) return { path: path.join(root, 'packages', ours[1]!, 'dist', 'index.js') };
        // node: built-ins and every third-party package resolve at run time from node_modules.
        return { path: args.path, external: true };
      });
    },
  };
}

/** Writes the bundle (main.js and its chunks) into `outDir` (the staged package's dist/bin). */
export async function bundleCli(root: string, outDir: string): Promise<void> {
  await build({
    entryPoints: [path.join(root, 'packages/cli/dist/main.js')],
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunk-[hash]',
    plugins: [workspaceDist(root)],
    logLevel: 'warning',
  });
}

// `node --import tsx scripts/bundle-cli.ts OUT_DIR` (how pack.ts, which is synchronous, runs it).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundle-cli.ts OUT_DIR');
  await bundleCli(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), path.resolve(out));
}
