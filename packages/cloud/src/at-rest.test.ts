import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { AtRest, loadOrCreateKeyFile } from './at-rest.js';

it('AES-256-GCM at rest: round trip; another AAD, another key or a flipped bit does not decrypt', () => {
  const key = Buffer.alloc(32, 1);
  const box = new AtRest(key);
  const sealed = box.encrypt('root secret', 'rot-secret:0A04F008003C9623');
  assert.match(sealed, /^v1\.[A-Za-z0-9+/=]+$/);
  assert.notEqual(box.encrypt('root secret', 'x'), box.encrypt('root secret', 'x'), 'fresh IV each time');
  assert.equal(box.decrypt(sealed, 'rot-secret:0A04F008003C9623').toString(), 'root secret');
  assert.throws(() => box.decrypt(sealed, 'rot-secret:0A04F008003C9624'));
  assert.throws(() => new AtRest(Buffer.alloc(32, 2)).decrypt(sealed, 'rot-secret:0A04F008003C9623'));
  const raw = Buffer.from(sealed.slice(3), 'base64');
  raw[14]! ^= 1;
  assert.throws(() => box.decrypt(`v1.${raw.toString('base64')}`, 'rot-secret:0A04F008003C9623'));
  assert.throws(() => box.decrypt('v2.AAAA', 'x'), /unknown at-rest format/);
  assert.throws(() => new AtRest(Buffer.alloc(16)), /32 bytes/);
});

it('the key file is created once with mode 0600 and read back; a malformed one is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-key-'));
  try {
    const file = join(dir, 'sub', 'cloud.key');
    const key = loadOrCreateKeyFile(file);
    assert.equal(key.length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateKeyFile(file), key);
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'not hex\n');
    assert.throws(() => loadOrCreateKeyFile(bad), /64 hex characters/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
