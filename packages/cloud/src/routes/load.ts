import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyRouteDef } from '../route-def.js';

const ROUTES_DIR = fileURLToPath(new URL('./', import.meta.url));

/**
 * Every `routes/<name>.ts` that exports `routes: AnyRouteDef[]`, in file-name order
 * (so adding a route file touches no shared file). Two routes with one method and URL
 * are an error.
 */
export async function loadRoutes(dir = ROUTES_DIR): Promise<AnyRouteDef[]> {
  const files = readdirSync(dir)
    .filter((f) => /^[\w-]+\.(ts|js)$/.test(f) && !/\.(test|d)\.ts$/.test(f) && !/^load\.(ts|js)$/.test(f))
    .sort();
  const all: AnyRouteDef[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { routes?: AnyRouteDef[] };
    if (Array.isArray(mod.routes)) all.push(...mod.routes);
  }
  const seen = new Set<string>();
  for (const r of all) {
    const id = `${r.method} ${r.url}`;
    if (seen.has(id)) throw new Error(`route ${id} is defined twice`);
    seen.add(id);
  }
  return all;
}
