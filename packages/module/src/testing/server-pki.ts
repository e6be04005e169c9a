import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerPki {
  /** The root, PEM (LF line ends, final newline), as a host would import it. */
  caPem: string;
  /** MD5 of the root's DER, lower-case hex, as +USECMNG prints it. */
  caMd5: string;
  serverKey: string;
  /** The server's certificate followed by nothing else: it chains straight to the root. */
  serverCert: string;
}

const DAY = 86_400_000;

/**
 * A root CA and a server certificate it signs, made with the openssl CLI in a temporary
 * folder (nothing is committed): the root gets the common name and expiry date a transcript
 * prints (`caName`, `caExpiry` as yyyy/mm/dd), the server the host name it stands for.
 */
export function makeServerPki(opts: { serverName: string; caName?: string; caExpiry?: string }): ServerPki {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-server-pki-'));
  try {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const expiry = opts.caExpiry ? Date.parse(`${opts.caExpiry.replace(/\//g, '-')}T12:00:00Z`) : Date.now() + 3650 * DAY;
    // Whole days from now, landing on the expiry date whatever the time of day (noon ± 12 h).
    const days = String(Math.max(1, Math.round((expiry - Date.now()) / DAY)));
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', `/CN=${opts.caName ?? 'modemlab test root CA'}`, '-days', days,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${opts.serverName}\n`);
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${opts.serverName}`);
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-sha256', '-extfile', 'ext.cnf', '-out', 'server.pem');
    const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
    return {
      caPem,
      caMd5: createHash('md5').update(new X509Certificate(caPem).raw).digest('hex'),
      serverKey: readFileSync(join(dir, 'server.key'), 'utf8'),
      serverCert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
