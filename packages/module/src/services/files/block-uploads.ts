import { FileSystemError, type FileSystem, type FileWriter } from './file-system.js';

/** A block that does not continue its transfer: wrong offset, size or total. */
export class BlockOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockOrderError';
  }
}

interface Transfer {
  writer: FileWriter;
  fileSize: number;
}

/**
 * Files written block by block (+UDWNBLOCK): the block at offset 0 starts a transfer of
 * `fileSize` bytes, each next block must start where the previous one ended, and the block
 * that reaches `fileSize` commits the file, replacing an older one atomically. Until then
 * the file is not listed and an older file of that name is untouched; a refused or
 * interrupted block abandons the whole transfer. Transfers live in RAM: a reboot loses them.
 */
export class BlockUploads {
  private readonly transfers = new Map<string, Transfer>();

  constructor(private readonly files: FileSystem) {}

  /**
   * Checks a block before its bytes are sent and returns the writer they go to. Throws
   * BlockOrderError, or FileSystemError ('bad-name', 'quota', 'no-space' when a new
   * transfer's `fileSize` does not fit).
   */
  begin(name: string, offset: number, size: number, fileSize: number): FileWriter {
    if (size <= 0 || offset + size > fileSize) {
      this.abort(name);
      throw new BlockOrderError(`block ${offset}+${size} of ${fileSize}`);
    }
    const t = this.transfers.get(name);
    if (offset === 0) {
      // A new start abandons an unfinished transfer of the same file.
      if (t) this.abort(name);
      const replaced = this.files.exists(name) ? this.files.size(name) : 0;
      const writer = this.files.createWriter(name);
      if (fileSize > this.files.freeBytes() + replaced) {
        writer.abort();
        throw new FileSystemError('no-space', `${fileSize} bytes`);
      }
      this.transfers.set(name, { writer, fileSize });
      return writer;
    }
    if (!t) throw new BlockOrderError(`no transfer of ${name} in progress`);
    if (t.fileSize !== fileSize || t.writer.bytesWritten !== offset) {
      this.abort(name);
      throw new BlockOrderError(`expected offset ${t.writer.bytesWritten} of ${t.fileSize}`);
    }
    return t.writer;
  }

  /** The block's bytes have all been written: commits when the file is complete. */
  blockDone(name: string): { complete: boolean } {
    const t = this.transfers.get(name);
    if (!t) return { complete: false };
    if (t.writer.bytesWritten < t.fileSize) return { complete: false };
    this.transfers.delete(name);
    t.writer.commit();
    return { complete: true };
  }

  abort(name: string): void {
    const t = this.transfers.get(name);
    if (!t) return;
    this.transfers.delete(name);
    t.writer.abort();
  }

  abortAll(): void {
    for (const name of [...this.transfers.keys()]) this.abort(name);
  }
}
