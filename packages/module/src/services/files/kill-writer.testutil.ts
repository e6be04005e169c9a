/**
 * Child process of the kill-safety test: replaces one file over and over with content A or
 * B (different sizes, each byte telling which), and appends to a second one, until killed.
 * argv: <stateDir>. Prints "ready" once the first writes are committed.
 */
import { FileSystem } from './file-system.js';
import { saraR5FileSystem } from '../../models/file-system-table.js';

const fs = new FileSystem(process.argv[2]!, saraR5FileSystem);
const a = Buffer.alloc(300_000, 0x41);
const b = Buffer.alloc(200_000, 0x42);
const pause = new Int32Array(new SharedArrayBuffer(4));
fs.write('replaced', a);
if (!fs.exists('appended')) fs.write('appended', Buffer.alloc(1000, 0x43));
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const w = fs.createWriter('replaced');
  const data = i % 2 ? a : b;
  // Several chunks with pauses between them, so most kills land in the middle of a write.
  for (let off = 0; off < data.length; off += 50_000) {
    w.write(data.subarray(off, off + 50_000));
    Atomics.wait(pause, 0, 0, 5);
  }
  w.commit();
  if (fs.size('appended') < 2_000_000) fs.write('appended', Buffer.alloc(1000, 0x43), { append: true });
}
