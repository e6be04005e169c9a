import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir } from './sync-dir.js';

/**
 * The module's non-volatile memory: one folder per module, one JSON document per namespace
 * (settings, certificates, profiles...). Every write goes to a temporary file, is fsynced
 * and renamed over the old one, so a kill -9 at any moment leaves the old document or the
 * new one, never a torn one.
 */
export class NvmStore {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    // Leftovers of a write interrupted before its rename are not state.
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
  }

  read<T>(namespace: string, fallback: T): T {
    if (this.cache.has(namespace)) return structuredClone(this.cache.get(namespace) as T);
    let value: T = fallback;
    try {
      value = JSON.parse(readFileSync(this.file(namespace), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.cache.set(namespace, value);
    return structuredClone(value);
  }

  write<T>(namespace: string, value: T): void {
    const target = this.file(namespace);
    const tmp = `${target}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value, null, 1));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    syncDir(this.dir);
    this.cache.set(namespace, structuredClone(value));
  }

  /** Reads, changes and writes one namespace. */
  update<T>(namespace: string, fallback: T, change: (value: T) => void): T {
    const value = this.read(namespace, fallback);
    change(value);
    this.write(namespace, value);
    return value;
  }

  /** Erases every namespace (+UFACTORY, a fresh module). */
  erase(): void {
    for (const f of readdirSync(this.dir)) if (f.endsWith('.json')) rmSync(join(this.dir, f), { force: true });
    this.cache.clear();
    syncDir(this.dir);
  }

  private file(namespace: string): string {
    if (!/^[a-z0-9-]+$/.test(namespace)) throw new Error(`bad NVM namespace ${namespace}`);
    return join(this.dir, `${namespace}.json`);
  }
}
