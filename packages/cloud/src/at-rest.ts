import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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
 */
export function loadOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    chmodSync(file, 0o600);
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`key file ${file} must hold 64 hex characters`);
  return Buffer.from(text, 'hex');
}
