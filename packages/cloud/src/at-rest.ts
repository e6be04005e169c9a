import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const VERSION = 'v1';

/**
 * Secrets and keys at rest: AES-256-GCM under one key from the key file. `aad` names what
 * a value is (e.g. `rot-secret:<uid>`), so a ciphertext copied into another row or column
 * does not decrypt. Format: `v1.<base64 iv(12) ‖ ciphertext ‖ tag(16)>`.
 */
export class AtRest {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('at-rest key must be 32 bytes');
  }

  encrypt(plain: Buffer | string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), c.final()]);
    return `${VERSION}.${Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64')}`;
  }

  decrypt(sealed: string, aad: string): Buffer {
    const [version, body] = sealed.split('.', 2);
    if (version !== VERSION || !body) throw new Error('unknown at-rest format');
    const raw = Buffer.from(body, 'base64');
    if (raw.length < 28) throw new Error('at-rest value too short');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
  }
}

/**
 * Reads the key file (64 hex chars), creating it with a fresh random key and mode 0600
 * when it does not exist. Every process sharing a database must use the same file.
 *
 * Creation is atomic: the key is written and fsynced under a temporary name in the same
 * folder, then hard-linked to the final name (link fails with EEXIST when another process
 * won; then its key is used). A crash at any point leaves either no key file or a whole one,
 * never an empty or partial key that would make the next start fail or diverge; a left-over
 * temporary file is ignored.
 */
export function loadOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) createKeyFile(file);
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`key file ${file} must hold 64 hex characters`);
  return Buffer.from(text, 'hex');
}

function createKeyFile(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(32).toString('hex') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  syncDir(dir);
}

/** Makes the new directory entry durable (best effort: not every platform opens folders). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // fsync of a folder is not supported here; the link is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
