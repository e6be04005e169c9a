import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabPki {
  /** Where ca.pem, server.pem and server.key were written (the lab's folder). */
  dir: string;
  caPem: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate (CN "modemlab lab device") and its key, for mutual TLS examples. */
  clientCert: string;
  clientKey: string;
}

/**
 * A fresh root CA, one server certificate for every lab host name (one SAN each) and a client
 * certificate, made
 * with the openssl CLI in `dir`: the README's examples import `<dir>/ca.pem` (and
 * `client.pem`, `client.key`) into the module.
 */
export function makeLabPki(dir: string, names: readonly string[]): LabPki {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=modemlab lab root CA', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${[...new Set(names)].map((n) => `DNS:${n}`).join(',')}\n`);
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0] ?? 'lab'}`);
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-sha256', '-extfile', 'ext.cnf', '-out', 'server.pem');
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=modemlab lab device');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '365', '-sha256', '-out', 'client.pem');
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    serverCert: readFileSync(join(dir, 'server.pem'), 'utf8'),
    serverKey: readFileSync(join(dir, 'server.key'), 'utf8'),
    clientCert: readFileSync(join(dir, 'client.pem'), 'utf8'),
    clientKey: readFileSync(join(dir, 'client.key'), 'utf8'),
  };
}
