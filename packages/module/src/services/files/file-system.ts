import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Minimal implementation of the file-system contract shared with the `files` branch (which
 * owns the full version): one folder per module, one disk file per module file, a size
 * quota, atomic create/replace through a temporary file and a rename.
 */
export type FileSystemErrorKind = 'not-found' | 'no-space' | 'bad-name' | 'quota';

export class FileSystemError extends Error {
  constructor(
    readonly kind: FileSystemErrorKind,
    message?: string,
  ) {
    super(message ?? kind);
  }
}

/** u-blox file names are at most 248 characters. */
const MAX_NAME = 248;
const TMP_SUFFIX = '.partial';

export interface FileWriter {
  write(chunk: Buffer): void;
  commit(): void;
  abort(): void;
  readonly bytesWritten: number;
}

export class FileSystem {
  /** Bytes held by writers that have not committed or aborted yet. */
  private reserved = 0;
  private writerSeq = 0;

  constructor(
    readonly dir: string,
    readonly quotaBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith(TMP_SUFFIX)) rmSync(join(dir, f), { force: true });
  }

  list(): { name: string; size: number }[] {
    return readdirSync(this.dir)
      .filter((f) => !f.endsWith(TMP_SUFFIX))
      .map((f) => ({ name: decodeURIComponent(f), size: statSync(join(this.dir, f)).size }));
  }

  size(name: string): number {
    return statSync(this.existing(name)).size;
  }

  freeBytes(): number {
    return Math.max(0, this.quotaBytes - this.used() - this.reserved);
  }

  exists(name: string): boolean {
    return existsSync(this.path(name));
  }

  read(name: string, offset = 0, length?: number): Buffer {
    const path = this.existing(name);
    const size = statSync(path).size;
    const start = Math.min(Math.max(0, offset), size);
    const n = Math.min(length ?? size - start, size - start);
    const out = Buffer.alloc(n);
    const fd = openSync(path, 'r');
    try {
      let done = 0;
      while (done < n) {
        const r = readSync(fd, out, done, n - done, start + done);
        if (r === 0) break;
        done += r;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  write(name: string, data: Buffer, opts: { append?: boolean } = {}): void {
    const w = this.createWriter(name, opts);
    try {
      w.write(data);
    } catch (err) {
      w.abort();
      throw err;
    }
    w.commit();
  }

  delete(name: string): void {
    rmSync(this.existing(name));
  }

  /** A writer to a temporary copy; commit() renames it over the file, abort() drops it. */
  createWriter(name: string, opts: { append?: boolean } = {}): FileWriter {
    const target = this.path(name);
    const tmp = `${target}.${this.writerSeq++}${TMP_SUFFIX}`;
    const old = existsSync(target) ? statSync(target).size : 0;
    if (opts.append && old > 0) copyFileSync(target, tmp);
    const fd = openSync(tmp, opts.append ? 'a' : 'w');
    // While writing, the old file still exists: the new bytes count on top of it, except
    // that an append's copy starts from the old bytes.
    let written = 0;
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      this.reserved -= written;
      closeSync(fd);
    };
    return {
      write: (chunk: Buffer) => {
        if (!open) throw new Error('writer closed');
        if (chunk.length > this.freeBytes()) throw new FileSystemError('no-space', `${chunk.length} bytes, ${this.freeBytes()} free`);
        writeSync(fd, chunk);
        written += chunk.length;
        this.reserved += chunk.length;
      },
      commit: () => {
        if (!open) throw new Error('writer closed');
        fsyncSync(fd);
        release();
        renameSync(tmp, target);
      },
      abort: () => {
        release();
        rmSync(tmp, { force: true });
      },
      get bytesWritten() {
        return written;
      },
    };
  }

  private used(): number {
    return this.list().reduce((sum, f) => sum + f.size, 0);
  }

  private path(name: string): string {
    if (name.length === 0 || name.length > MAX_NAME || /[\0/\\]/.test(name)) throw new FileSystemError('bad-name', name);
    return join(this.dir, encodeURIComponent(name));
  }

  private existing(name: string): string {
    const p = this.path(name);
    if (!existsSync(p)) throw new FileSystemError('not-found', name);
    return p;
  }
}
