import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSystemTable } from '../../models/file-system-table.js';
import { syncDir } from '../../nvm/sync-dir.js';

/**
 * 'not-found': no such file; 'no-space': the bytes would exceed the quota (free space);
 * 'bad-name': empty or longer than the product allows; 'quota': a new file beyond the
 * product's maximum number of files.
 */
export type FileSystemFailure = 'not-found' | 'no-space' | 'bad-name' | 'quota';

/**
 * A refusal of the file system: no such file, not enough free space, a name the file
 * system cannot hold (empty or too long), or the product's maximum number of files.
 */
export class FileSystemError extends Error {
  constructor(
    readonly kind: FileSystemFailure,
    message?: string,
  ) {
    super(message ?? kind);
    this.name = 'FileSystemError';
  }
}

/**
 * Streams one file to disk; nothing is visible until commit(). After commit or abort (also
 * the module's power-down, which aborts every open writer) write and commit throw.
 */
export interface FileWriter {
  /** Appends a chunk; throws FileSystemError 'no-space' (the chunk is not written) past the quota. */
  write(chunk: Buffer): void;
  /** Atomically creates or replaces the file (temp file, fsync, rename). */
  commit(): void;
  /** Discards everything; a file of that name is left as it was. */
  abort(): void;
  /** Bytes given to write() so far (for an append, not counting the old content). */
  readonly bytesWritten: number;
}

interface Entry {
  path: string;
  /** Bytes of the header before the data. */
  offset: number;
  size: number;
}

/**
 * On-disk layout: one file per module file, named by the SHA-256 of its name (names may
 * hold any character and be 248 long, more than a host file name allows), starting with a
 * header that carries the name, so a listing needs no separate index to keep consistent:
 *   "MLF1" | uint16 BE name length | name (UTF-8) | data
 */
const MAGIC = Buffer.from('MLF1', 'latin1');
const DATA_SUFFIX = '.f';
const TMP_SUFFIX = '.tmp';
const COPY_CHUNK = 64 * 1024;

const diskName = (name: string): string => createHash('sha256').update(name, 'utf8').digest('hex');

function header(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([MAGIC, len, bytes]);
}

function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/**
 * The module's user file system (+UDWNFILE, +URDFILE, ... and the HTTP client's response
 * files), persisted under `<stateDir>/files`. Every change is atomic: a new or changed file
 * is written to a temporary file, fsynced and renamed over the old one (rename(2) replaces
 * atomically), and the directory is fsynced; an append copies the old content into the
 * temporary file first. So a kill -9 at any moment leaves each file either as it was or as
 * it became, never torn; temporary files left by an interrupted write are not files and are
 * deleted when the file system is next opened. Sizes count against the product's quota.
 */
export class FileSystem {
  readonly dir: string;
  private readonly entries = new Map<string, Entry>();
  private readonly writers = new Set<StreamingWriter>();
  private tmpCounter = 0;

  constructor(
    stateDir: string,
    readonly table: FileSystemTable,
  ) {
    this.dir = join(stateDir, 'files');
    mkdirSync(this.dir, { recursive: true });
    this.load();
  }

  list(): { name: string; size: number }[] {
    return [...this.entries.entries()]
      .map(([name, e]) => ({ name, size: e.size }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  exists(name: string): boolean {
    return this.entries.has(name);
  }

  size(name: string): number {
    return this.entry(name).size;
  }

  /** Quota left, counting what open writers have added so far. */
  freeBytes(): number {
    let used = 0;
    for (const e of this.entries.values()) used += e.size;
    for (const w of this.writers) used += w.growth();
    return Math.max(0, this.table.quotaBytes - used);
  }

  /** Bytes of a file from `offset` (default 0), at most `length` (default: to the end). */
  read(name: string, offset = 0, length?: number): Buffer {
    const e = this.entry(name);
    const start = Math.min(Math.max(0, offset), e.size);
    const count = Math.min(length ?? e.size - start, e.size - start);
    const out = Buffer.alloc(Math.max(0, count));
    if (out.length === 0) return out;
    const fd = openSync(e.path, 'r');
    try {
      let got = 0;
      while (got < out.length) {
        const n = readSync(fd, out, got, out.length - got, e.offset + start + got);
        if (n === 0) break;
        got += n;
      }
      return got === out.length ? out : out.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  /** Creates, replaces or (append) extends a file at once; atomic. */
  write(name: string, data: Buffer, opts: { append?: boolean } = {}): void {
    const w = this.createWriter(name, opts);
    try {
      w.write(data);
      w.commit();
    } catch (err) {
      w.abort();
      throw err;
    }
  }

  delete(name: string): void {
    const e = this.entry(name);
    rmSync(e.path, { force: true });
    this.entries.delete(name);
    syncDir(this.dir);
  }

  /** A writer that streams to a temporary file; see FileWriter. */
  createWriter(name: string, opts: { append?: boolean } = {}): FileWriter {
    this.checkName(name);
    if (!this.entries.has(name) && this.entries.size >= this.table.maxFiles) throw new FileSystemError('quota', `${this.entries.size} files`);
    const w = new StreamingWriter(this, name, Boolean(opts.append));
    this.writers.add(w);
    return w;
  }

  /** Deletes every file (a factory restore of the file system). */
  erase(): void {
    for (const w of [...this.writers]) w.abort();
    for (const e of this.entries.values()) rmSync(e.path, { force: true });
    this.entries.clear();
    syncDir(this.dir);
  }

  /** Power-down: transfers in progress are lost, as RAM is. */
  abortWriters(): void {
    for (const w of [...this.writers]) w.abort();
  }

  // ---- for the writer ---------------------------------------------------------------

  /** @internal */
  entryOf(name: string): Entry | undefined {
    return this.entries.get(name);
  }

  /** @internal */
  tmpPath(name: string): string {
    return join(this.dir, `${diskName(name)}.${process.pid}.${++this.tmpCounter}${TMP_SUFFIX}`);
  }

  /** @internal The committed bytes of every file but `name`. */
  usedWithout(name: string): number {
    let used = 0;
    for (const [n, e] of this.entries) if (n !== name) used += e.size;
    return used;
  }

  /** @internal */
  install(name: string, tmp: string, headerLength: number, size: number): void {
    const path = join(this.dir, `${diskName(name)}${DATA_SUFFIX}`);
    renameSync(tmp, path);
    syncDir(this.dir);
    this.entries.set(name, { path, offset: headerLength, size });
  }

  /** @internal */
  forget(w: StreamingWriter): void {
    this.writers.delete(w);
  }

  // ---- internals --------------------------------------------------------------------

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new FileSystemError('not-found', name);
    return e;
  }

  private checkName(name: string): void {
    if (name.length === 0 || name.length > this.table.maxNameLength) throw new FileSystemError('bad-name', `name of ${name.length} characters`);
  }

  private load(): void {
    for (const f of readdirSync(this.dir)) {
      const path = join(this.dir, f);
      // A temporary file is a write that never reached its rename: not a file.
      if (f.endsWith(TMP_SUFFIX)) {
        rmSync(path, { force: true });
        continue;
      }
      if (!f.endsWith(DATA_SUFFIX)) continue;
      const fd = openSync(path, 'r');
      try {
        const head = Buffer.alloc(6);
        if (readSync(fd, head, 0, 6, 0) !== 6 || !head.subarray(0, 4).equals(MAGIC)) continue;
        const nameBytes = Buffer.alloc(head.readUInt16BE(4));
        if (readSync(fd, nameBytes, 0, nameBytes.length, 6) !== nameBytes.length) continue;
        const offset = 6 + nameBytes.length;
        this.entries.set(nameBytes.toString('utf8'), { path, offset, size: fstatSync(fd).size - offset });
      } finally {
        closeSync(fd);
      }
    }
  }

}

class StreamingWriter implements FileWriter {
  bytesWritten = 0;
  private fd: number | undefined;
  private readonly tmp: string;
  private readonly headerLength: number;
  /** Old content copied in (append), and the size of the file this one replaces. */
  private readonly base: number;
  private readonly replaced: number;

  constructor(
    private readonly fs: FileSystem,
    private readonly name: string,
    append: boolean,
  ) {
    const old = fs.entryOf(name);
    this.replaced = old?.size ?? 0;
    this.base = append ? this.replaced : 0;
    this.tmp = fs.tmpPath(name);
    const head = header(name);
    this.headerLength = head.length;
    this.fd = openSync(this.tmp, 'w', 0o600);
    try {
      writeAll(this.fd, head);
      if (append && old) this.copy(old);
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Bytes this writer adds to the used space once committed (never negative). */
  growth(): number {
    return Math.max(0, this.base + this.bytesWritten - this.replaced);
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined) throw new Error('file writer is closed');
    const after = Math.max(0, this.base + this.bytesWritten + chunk.length - this.replaced);
    if (after - this.growth() > this.fs.freeBytes()) throw new FileSystemError('no-space', `${chunk.length} more bytes`);
    writeAll(this.fd, chunk);
    this.bytesWritten += chunk.length;
  }

  commit(): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error('file writer is closed');
    const size = this.base + this.bytesWritten;
    try {
      // Other writers may have committed meanwhile: the quota holds on what is on disk.
      if (this.fs.usedWithout(this.name) + size > this.fs.table.quotaBytes) throw new FileSystemError('no-space', `${size} bytes`);
      if (!this.fs.entryOf(this.name) && this.fs.list().length >= this.fs.table.maxFiles) throw new FileSystemError('quota', 'too many files');
      fsyncSync(fd);
      closeSync(fd);
      this.fd = undefined;
      this.fs.install(this.name, this.tmp, this.headerLength, size);
      this.fs.forget(this);
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  abort(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.tmp, { force: true });
    this.fs.forget(this);
  }

  private copy(old: Entry): void {
    const src = openSync(old.path, 'r');
    try {
      const buf = Buffer.alloc(COPY_CHUNK);
      let pos = 0;
      while (pos < old.size) {
        const n = readSync(src, buf, 0, Math.min(buf.length, old.size - pos), old.offset + pos);
        if (n === 0) break;
        writeAll(this.fd!, buf.subarray(0, n));
        pos += n;
      }
    } finally {
      closeSync(src);
    }
  }
}
