import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A CA, a client identity and a server certificate made at run time with the openssl CLI
 * (nothing committed), whose PEM texts have the exact sizes a seed document prints: seed
 * 004 §3.1 answers 1216 bytes for its CA certificate, 1224 for the client certificate and
 * 1679 for the client key. Sizes are reached by the length of the subject's common name
 * (certificates) and by drawing RSA keys until one has the size (keys); PEM lines end in LF.
 */
export interface SizedPki {
  ca: string;
  caKey: string;
  client: string;
  clientKey: string;
  server: string;
  serverKey: string;
}

export interface SizedPkiRequest {
  caBytes?: number;
  clientBytes?: number;
  clientKeyBytes?: number;
  /** Names the server certificate carries (DNS names and addresses). */
  serverNames: string[];
  now?: number;
}

const DAY = 86_400_000;

export function makeSizedPki(req: SizedPkiRequest): SizedPki {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-sized-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(file(name), 'utf8');
  const rsaKey = (bytes?: number): string => {
    for (let i = 0; i < 200; i++) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
      if (bytes === undefined || pem.length === bytes) return pem;
    }
    throw new Error(`no RSA key of ${bytes} PEM bytes`);
  };
  /**
   * Grows the common name (64 characters at most) until the PEM made by `make` has `bytes`
   * bytes. The DER grows by a fixed step per character, so the length is computed from two
   * probes and checked, instead of trying every length.
   */
  const sized = (bytes: number | undefined, cn: string, make: (subject: string) => string): string => {
    const subject = (pad: number) => `/CN=${cn}${'x'.repeat(pad)}`;
    const first = make(subject(0));
    if (bytes === undefined || first.length === bytes) return first;
    const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64').length;
    const d0 = derOf(first);
    const step = derOf(make(subject(1))) - d0;
    const targets: number[] = [];
    for (let n = d0; n < d0 + 200; n++) if (pemLength(first, n) === bytes) targets.push(n);
    for (const n of targets) {
      for (const pad of [Math.round((n - d0) / step), Math.round((n - d0) / step) - 1, Math.round((n - d0) / step) + 1]) {
        if (pad < 0 || cn.length + pad > 64) continue;
        const pem = make(subject(pad));
        if (pem.length === bytes) return pem;
      }
    }
    throw new Error(`no certificate of ${bytes} PEM bytes for ${cn}`);
  };
  const days = String(Math.ceil(((req.now ?? Date.now()) + 3650 * DAY - Date.now()) / DAY));
  try {
    const caKey = rsaKey();
    writeFileSync(file('ca.key'), caKey);
    const ca = sized(req.caBytes, 'modemlab seed CA ', (cn) => {
      openssl('req', '-x509', '-key', 'ca.key', '-out', 'ca.pem', '-subj', cn, '-days', days, '-set_serial', '1',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
      return read('ca.pem');
    });
    writeFileSync(file('ca.pem'), ca);
    const issue = (name: string, key: string, subject: string, ext: string): string => {
      writeFileSync(file(`${name}.key`), key);
      writeFileSync(file(`${name}.ext`), ext);
      openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', name === 'client' ? '2' : '3', '-days', days,
        '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
      return read(`${name}.pem`);
    };
    const clientKey = rsaKey(req.clientKeyBytes);
    const client = sized(req.clientBytes, 'client ', (subject) => issue('client', clientKey, subject, 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'));
    const serverKey = rsaKey();
    const san = req.serverNames.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    const server = issue('server', serverKey, `/CN=${req.serverNames[0] ?? 'localhost'}`, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    return { ca, caKey, client, clientKey, server, serverKey };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Length of a PEM text of `der` bytes with the armour lines of `sample` (64-character LF lines). */
function pemLength(sample: string, der: number): number {
  const armour = sample.split('\n').filter((l) => l.startsWith('-----')).reduce((n, l) => n + l.length + 1, 0);
  const b64 = 4 * Math.ceil(der / 3);
  return armour + b64 + Math.ceil(b64 / 64);
}
