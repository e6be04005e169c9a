import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Makes a rename inside `dir` durable: the directory entry itself must reach the disk. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}
