import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificate chains with one defect each, made by the tests with the openssl CLI in a
 * temporary folder (nothing committed), for the path-validation matrix. Every leaf is for
 * "localhost" and 127.0.0.1 with serverAuth, so that the defect named is the only one.
 */
export interface DefectChain {
  name: string;
  /** The leaf's key, PEM. */
  key: string;
  /** What the server presents: leaf first, then intermediates, PEM. */
  presented: string[];
  /** The root the module trusts for this chain, PEM. */
  root: string;
  /** Files for `openssl verify`. */
  files: { leaf: string; untrusted: string; root: string };
}

export interface DefectChains {
  chains: Map<string, DefectChain>;
  get(name: string): DefectChain;
  /**
   * `openssl verify` on a chain as a level asks it (1: no dates, 2: + host, 3: + dates at
   * `now`), with the TLS-server purpose: undefined when it passes, else its error text.
   */
  opensslVerify(name: string, level: number, host: string, now: number): string | undefined;
  dispose(): void;
}

const DAY = 86_400_000;

/** openssl ca -startdate/-enddate: YYYYMMDDHHMMSSZ. */
function asn1Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

interface Spec {
  subject: string;
  key: string;
  /** Issuer's name (file stem); absent: self-signed. */
  issuer?: string;
  ext: string[];
  from?: number;
  to?: number;
  md?: string;
}

const LEAF_EXT = ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];

/** Replaces (or adds) the extension named like `line` (text before '='). */
function withExt(base: readonly string[], ...lines: string[]): string[] {
  const out = [...base];
  for (const line of lines) {
    const key = line.slice(0, line.indexOf('='));
    const i = out.findIndex((l) => l.startsWith(`${key}=`));
    if (line.endsWith('=')) {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = line;
    else out.push(line);
  }
  return out;
}

export function makeDefectChains(now = Date.now()): DefectChains {
  const dir = mkdtempSync(join(tmpdir(), 'modemlab-chains-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(file(name), 'utf8');
  for (const k of ['root', 'inter', 'leaf', 'other']) openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', `${k}.key`);
  writeFileSync(file('db'), '');
  let serial = 0x1000;

  /** One certificate by `openssl ca` (dates and digest of our choosing), written to <name>.pem. */
  const issue = (name: string, s: Spec): string => {
    writeFileSync(file('serial'), `${(serial++).toString(16)}\n`);
    writeFileSync(file('db'), '');
    writeFileSync(file(`${name}.cnf`), [
      '[ca]', 'default_ca = this', '[this]', `dir = ${dir}`, `database = ${file('db')}`, `new_certs_dir = ${dir}`, `serial = ${file('serial')}`,
      `default_md = ${s.md ?? 'sha256'}`, 'policy = any', 'unique_subject = no', 'email_in_dn = no', '[any]', 'commonName = supplied',
      '[ext]', ...s.ext, '[req]', 'distinguished_name = dn', '[dn]', '',
    ].join('\n'));
    openssl('req', '-new', '-config', `${name}.cnf`, '-key', s.key, '-subj', s.subject, '-out', `${name}.csr`);
    const signer = s.issuer ? ['-cert', `${s.issuer}.pem`, '-keyfile', keyOf.get(s.issuer)!] : ['-selfsign', '-keyfile', s.key];
    openssl('ca', '-batch', '-notext', '-config', `${name}.cnf`, '-extensions', 'ext', ...signer, '-in', `${name}.csr`, '-out', `${name}.pem`, '-md', s.md ?? 'sha256',
      '-startdate', asn1Time(s.from ?? now - DAY), '-enddate', asn1Time(s.to ?? now + 365 * DAY));
    keyOf.set(name, s.key);
    return read(`${name}.pem`);
  };
  const keyOf = new Map<string, string>();

  issue('root', { subject: '/CN=modemlab matrix root', key: 'root.key', ext: CA_EXT, from: now - 10 * DAY, to: now + 3650 * DAY });
  issue('other', { subject: '/CN=modemlab matrix unknown root', key: 'other.key', ext: CA_EXT, from: now - 10 * DAY, to: now + 3650 * DAY });
  issue('oldroot', { subject: '/CN=modemlab matrix expired root', key: 'root.key', ext: CA_EXT, from: now - 900 * DAY, to: now - 2 * DAY });

  const chains = new Map<string, DefectChain>();
  /** A chain: root → intermediates (given as specs) → leaf (spec), all issued in order. */
  const chain = (name: string, opts: { root?: string; inters?: Array<Partial<Spec>>; leaf?: Partial<Spec>; tamper?: boolean; selfSigned?: boolean; trustLeaf?: boolean }) => {
    const root = opts.root ?? 'root';
    let issuer = root;
    const presented: string[] = [];
    (opts.inters ?? [{}]).forEach((spec, i) => {
      const stem = `${name}-i${i}`;
      presented.unshift(issue(stem, { subject: `/CN=${name} intermediate ${i}`, key: 'inter.key', issuer, ext: CA_EXT, ...spec }));
      issuer = stem;
    });
    if (opts.selfSigned) presented.length = 0;
    const leafStem = `${name}-leaf`;
    let leaf = issue(leafStem, { subject: '/CN=localhost', key: 'leaf.key', ...(opts.selfSigned ? {} : { issuer }), ext: opts.selfSigned ? withExt(LEAF_EXT, 'authorityKeyIdentifier=') : LEAF_EXT, ...opts.leaf });
    if (opts.tamper) {
      // Flip the last byte of the signature: the structure stays valid, the signature does not.
      const der = Buffer.from(new X509Certificate(leaf).raw);
      der[der.length - 1] ^= 0x01;
      leaf = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
      writeFileSync(file(`${leafStem}.pem`), leaf);
    }
    writeFileSync(file(`${name}.untrusted.pem`), presented.join(''));
    const rootPem = opts.trustLeaf ? leaf : read(`${root}.pem`);
    writeFileSync(file(`${name}.root.pem`), rootPem);
    chains.set(name, {
      name,
      key: read('leaf.key'),
      presented: [leaf, ...presented],
      root: rootPem,
      files: { leaf: file(`${leafStem}.pem`), untrusted: file(`${name}.untrusted.pem`), root: file(`${name}.root.pem`) },
    });
  };

  chain('valid', {});
  chain('intermediate-ca-false', { inters: [{ ext: withExt(CA_EXT, 'basicConstraints=critical,CA:FALSE') }] });
  chain('intermediate-no-basic-constraints', { inters: [{ ext: withExt(CA_EXT, 'basicConstraints=') }] });
  chain('intermediate-no-keycertsign', { inters: [{ ext: withExt(CA_EXT, 'keyUsage=critical,digitalSignature,cRLSign') }] });
  chain('path-length', { inters: [{ ext: withExt(CA_EXT, 'basicConstraints=critical,CA:TRUE,pathlen:0') }, {}] });
  chain('path-length-ok', { inters: [{ ext: withExt(CA_EXT, 'basicConstraints=critical,CA:TRUE,pathlen:1') }, {}] });
  chain('leaf-client-auth', { leaf: { ext: withExt(LEAF_EXT, 'extendedKeyUsage=clientAuth') } });
  chain('leaf-key-usage', { leaf: { ext: withExt(LEAF_EXT, 'keyUsage=critical,nonRepudiation') } });
  chain('intermediate-client-auth', { inters: [{ ext: withExt(CA_EXT, 'extendedKeyUsage=clientAuth') }] });
  chain('name-permitted', { inters: [{ ext: withExt(CA_EXT, 'nameConstraints=critical,permitted;DNS:example.test') }] });
  chain('name-excluded', { inters: [{ ext: withExt(CA_EXT, 'nameConstraints=critical,excluded;DNS:localhost') }] });
  chain('name-permitted-ok', { inters: [{ ext: withExt(CA_EXT, 'nameConstraints=critical,permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0') }] });
  chain('md5-leaf', { leaf: { md: 'md5' } });
  chain('sha1-leaf', { leaf: { md: 'sha1' } });
  chain('leaf-unknown-critical', { leaf: { ext: [...LEAF_EXT, '1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:modemlab'] } });
  chain('bad-signature', { tamper: true });
  chain('intermediate-expired', { inters: [{ from: now - 400 * DAY, to: now - DAY }] });
  chain('intermediate-not-yet-valid', { inters: [{ from: now + DAY, to: now + 400 * DAY }] });
  chain('leaf-expired', { leaf: { from: now - 400 * DAY, to: now - DAY } });
  chain('root-expired', { root: 'oldroot' });
  chain('self-signed-leaf', { selfSigned: true });
  chain('self-signed-trusted', { selfSigned: true, trustLeaf: true });
  chain('unknown-ca', { root: 'other' });
  // The unknown root's intermediate, trusted root the usual one: issued by 'other'.
  chains.set('unknown-ca', { ...chains.get('unknown-ca')!, root: read('root.pem'), files: { ...chains.get('unknown-ca')!.files, root: file('root.pem') } });
  chain('wrong-host', { leaf: { ext: withExt(LEAF_EXT, 'subjectAltName=DNS:other.example.test'), subject: '/CN=other.example.test' } });

  return {
    chains,
    get(name) {
      const c = chains.get(name);
      if (!c) throw new Error(`no chain ${name}`);
      return c;
    },
    opensslVerify(name, level, host, now) {
      const c = this.get(name);
      const args = ['verify', '-purpose', 'sslserver', '-CAfile', c.files.root];
      if (c.presented.length > 1) args.push('-untrusted', c.files.untrusted);
      if (level >= 3) args.push('-attime', String(Math.floor(now / 1000)));
      else args.push('-no_check_time');
      if (level >= 2) args.push(/^[\d.]+$/.test(host) ? '-verify_ip' : '-verify_hostname', host);
      args.push(c.files.leaf);
      const r = spawnSync('openssl', args, { encoding: 'utf8' });
      if (r.status === 0) return undefined;
      const m = /error \d+ at \d+ depth lookup: (.+)/.exec(r.stdout + r.stderr);
      return m ? m[1]!.trim() : (r.stdout + r.stderr).trim();
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
