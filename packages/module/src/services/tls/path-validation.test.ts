import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCertLib } from './cert-facts.js';
import fc from 'fast-check';
import { BC66_CERTIFICATE_RULES, TELIT_CERTIFICATE_RULES, UBLOX_CERTIFICATE_RULES } from '../../models/certificate-rules.js';
import { validatePath } from './path-validation.js';

/**
 * The product rules and RFC 5280 corners the matrix (validation-matrix.test.ts) does not
 * reach through a handshake: key types and sizes per product, IP name constraints, a
 * trusted self-signed leaf that is not for servers. Certificates made here by openssl.
 */
let dir: string;
const pem = (name: string) => new X509Certificate(readFileSync(join(dir, `${name}.pem`)));

// The certificate decoder loads lazily (cert-facts.ts); the direct calls below need it.
before(() => loadCertLib());
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'modemlab-pathval-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ext = (name: string, lines: string[]) => writeFileSync(join(dir, `${name}.ext`), `${lines.join('\n')}\n`);
  const root = (name: string, keyArgs: string[], extra: string[] = []) => {
    openssl('req', '-x509', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${name}`, '-days', '30',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', ...extra.flatMap((e) => ['-addext', e]));
  };
  const leaf = (name: string, issuer: string, keyArgs: string[], lines: string[] = ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'extendedKeyUsage=serverAuth']) => {
    openssl('req', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost');
    ext(name, lines);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  const rsa = (bits: number) => ['-newkey', `rsa:${bits}`];
  root('rsa-root', rsa(2048));
  root('ec-root', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  root('ip-root', rsa(2048), ['nameConstraints=critical,excluded;IP:127.0.0.0/255.0.0.0']);
  leaf('ec-signed', 'ec-root', rsa(2048));
  leaf('rsa1024', 'rsa-root', rsa(1024));
  leaf('rsa512', 'rsa-root', rsa(512));
  leaf('loopback', 'ip-root', rsa(2048));
  // A self-signed server certificate for clients only.
  openssl('req', '-x509', '-new', ...rsa(2048), '-nodes', '-keyout', 'client-self.key', '-out', 'client-self.pem', '-subj', '/CN=localhost', '-days', '30',
    '-addext', 'extendedKeyUsage=clientAuth');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (leaf: string, root: string, rules = UBLOX_CERTIFICATE_RULES) => {
  const r = validatePath({ chain: [pem(leaf)], trusted: [pem(root)], rules });
  return r.ok ? 'ok' : r.failure;
};

describe('validatePath: product rules', () => {
  it('an ECDSA-signed certificate: u-blox and BC66 accept it, Telit (RSA only) refuses its signature', () => {
    assert.equal(run('ec-signed', 'ec-root'), 'ok');
    assert.equal(run('ec-signed', 'ec-root', BC66_CERTIFICATE_RULES), 'ok');
    assert.equal(run('ec-signed', 'ec-root', TELIT_CERTIFICATE_RULES), 'signature-algorithm');
  });

  it('key sizes: u-blox takes 1024-bit RSA and refuses 512; BC66 needs 2048', () => {
    assert.equal(run('rsa1024', 'rsa-root'), 'ok');
    assert.equal(run('rsa512', 'rsa-root'), 'key-size');
    assert.equal(run('rsa1024', 'rsa-root', BC66_CERTIFICATE_RULES), 'key-size');
  });
});

describe('validatePath: RFC 5280 corners', () => {
  it('an excluded IP subtree on the trusted root refuses a leaf for 127.0.0.1', () => {
    assert.equal(run('loopback', 'ip-root'), 'name-constraints');
  });

  it('a trusted self-signed leaf is its own path, but still must be for servers', () => {
    assert.equal(run('client-self', 'client-self'), 'purpose');
    assert.equal(run('client-self', 'rsa-root'), 'self-signed');
  });

  it('no certificate at all', () => {
    const r = validatePath({ chain: [], trusted: [pem('rsa-root')], rules: UBLOX_CERTIFICATE_RULES });
    assert.equal(r.ok === false && r.failure, 'unknown-ca');
  });
});

describe('validatePath: hostile certificates', () => {
  it('any byte changed in a leaf or its root (that OpenSSL still parses) gives a verdict, never an exception', () => {
    const leaf = Buffer.from(pem('rsa1024').raw);
    const root = Buffer.from(pem('rsa-root').raw);
    const mutate = (der: Buffer, edits: Array<[number, number]>) => {
      const out = Buffer.from(der);
      for (const [at, value] of edits) out[at % out.length] = value;
      return out;
    };
    const parse = (der: Buffer): X509Certificate | undefined => {
      try {
        return new X509Certificate(der);
      } catch {
        return undefined; // node:tls never hands over what OpenSSL cannot parse
      }
    };
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(edits, edits, (leafEdits, rootEdits) => {
        const l = parse(mutate(leaf, leafEdits));
        const r = parse(mutate(root, rootEdits));
        if (!l || !r) return;
        const result = validatePath({ chain: [l], trusted: [r], rules: UBLOX_CERTIFICATE_RULES });
        assert.equal(typeof result.ok, 'boolean');
      }),
      { numRuns: 300 },
    );
  });
});
