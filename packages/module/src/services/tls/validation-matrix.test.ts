import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { loadCertLib } from './cert-facts.js';
import { ManualClock } from '@modemlab/at';
import type { CertificateRules } from '../../models/certificate-rules.js';
import { saraR4Tls, saraR5Tls } from '../../models/tls-table.js';
import { findModel } from '../../models/index.js';
import { makeDefectChains, type DefectChains } from '../../testing/defect-chains.js';
import type { ModuleHarness } from '../../testing/harness.js';
import { at, atUntil, ublox } from '../../dialects/ublox/ublox.testutil.js';
import { at as telitAt, storePem, telitModule } from '../../dialects/telit/telit.testutil.js';
import { QuectelHost } from '../../dialects/quectel/quectel.testutil.js';
import { FTP_PASSWORD, FTP_USER, legacyTls, startFtpServer, type TestFtpServer } from '../ftp/ftp.testutil.js';
import { tlsServer } from './tls.testutil.js';
import { verifyServer, type VerifyFailure } from './verify.js';
import { TlsFailure } from './tls-service.js';
import type { TlsProblem } from './tls-problem.js';

/**
 * The path-validation matrix of issue 15: chains with one defect each (made here with the
 * openssl CLI), at every validation level, through the pure validator with every
 * product's rules and through every product's secure-connect command against real TLS
 * servers on loopback. Each verdict is compared with `openssl verify` on the same chain
 * (-purpose sslserver; -no_check_time below level 3; -verify_ip from level 2); where the
 * module answers otherwise, RULES names the product rule that says so.
 */

type Product = 'sara-r5' | 'sara-r410m' | 'telit' | 'bc66';
const HOST = '127.0.0.1';

/** What the module refuses, by chain, and from which level (1 path, 2 host name, 3 dates). */
const EXPECTED: Record<string, { failure: VerifyFailure; level: number } | undefined> = {
  valid: undefined,
  'intermediate-ca-false': { failure: 'invalid-ca', level: 1 },
  'intermediate-no-basic-constraints': { failure: 'invalid-ca', level: 1 },
  'intermediate-no-keycertsign': { failure: 'invalid-ca', level: 1 },
  'path-length': { failure: 'path-length', level: 1 },
  'path-length-ok': undefined,
  'leaf-client-auth': { failure: 'purpose', level: 1 },
  'leaf-key-usage': { failure: 'purpose', level: 1 },
  'intermediate-client-auth': { failure: 'purpose', level: 1 },
  'name-permitted': { failure: 'name-constraints', level: 1 },
  'name-excluded': { failure: 'name-constraints', level: 1 },
  'name-permitted-ok': undefined,
  'md5-leaf': { failure: 'signature-algorithm', level: 1 },
  'sha1-leaf': undefined,
  'leaf-unknown-critical': { failure: 'critical-extension', level: 1 },
  'bad-signature': { failure: 'bad-signature', level: 1 },
  'intermediate-expired': { failure: 'expired', level: 3 },
  'intermediate-not-yet-valid': { failure: 'not-yet-valid', level: 3 },
  'leaf-expired': { failure: 'expired', level: 3 },
  'root-expired': { failure: 'expired', level: 3 },
  'self-signed-leaf': { failure: 'self-signed', level: 1 },
  'self-signed-trusted': undefined,
  'unknown-ca': { failure: 'unknown-ca', level: 1 },
  'wrong-host': { failure: 'hostname', level: 2 },
};

/**
 * Where a product's verdict differs from `openssl verify`, the rule that justifies it: the
 * verdict it gives instead, for which products and levels.
 */
const RULES: Array<{ chain: string; products: readonly Product[]; levels: readonly number[]; verdict: VerifyFailure; rule: string; handshakeOnly?: boolean }> = [
  {
    chain: 'intermediate-no-keycertsign',
    products: ['sara-r5', 'sara-r410m', 'telit', 'bc66'],
    levels: [1, 2, 3],
    verdict: 'unknown-ca',
    handshakeOnly: true,
    rule:
      'after a real handshake node:tls hands over only the certificates OpenSSL links with X509_check_issued, which refuses an issuer without keyCertSign: ' +
      'the path ends at the leaf with no trusted root, a certificate error all the same (docs/architecture.md, "Certificate path validation")',
  },
  {
    chain: 'md5-leaf',
    products: ['sara-r5', 'sara-r410m', 'telit', 'bc66'],
    levels: [1, 2, 3],
    verdict: 'signature-algorithm',
    rule: 'every product refuses MD5-signed certificates (models/certificate-rules.ts); openssl verify has no security level by default',
  },
  {
    chain: 'sha1-leaf',
    products: ['bc66'],
    levels: [1, 2, 3],
    verdict: 'signature-algorithm',
    rule: "BC66's mbedTLS default X.509 profile refuses SHA-1 signatures (BC66_CERTIFICATE_RULES)",
  },
  {
    chain: 'root-expired',
    products: ['telit'],
    levels: [1, 2],
    verdict: 'expired',
    rule: "Telit checks its stored CA's dates in server authentication mode (SecurityProfile.rootDates)",
  },
];

/** `openssl verify` error texts and the failure each is. */
const OPENSSL_ERRORS: ReadonlyArray<[RegExp, VerifyFailure]> = [
  [/^invalid CA certificate$|^key usage does not include certificate signing$/, 'invalid-ca'],
  [/^path length constraint exceeded$/, 'path-length'],
  [/^(unsuitable|unsupported) certificate purpose$/, 'purpose'],
  [/^(permitted|excluded) subtree violation$/, 'name-constraints'],
  [/^unhandled critical extension$/, 'critical-extension'],
  [/^certificate signature failure$/, 'bad-signature'],
  [/^certificate has expired$/, 'expired'],
  [/^certificate is not yet valid$/, 'not-yet-valid'],
  [/^self[- ]signed certificate$/, 'self-signed'],
  [/^unable to get (local )?issuer certificate$|^self[- ]signed certificate in certificate chain$/, 'unknown-ca'],
  [/^(hostname|IP address) mismatch$/, 'hostname'],
  [/digest algorithm too weak|key too small/, 'signature-algorithm'],
];

function opensslFailure(text: string | undefined): VerifyFailure | undefined {
  if (text === undefined) return undefined;
  const hit = OPENSSL_ERRORS.find(([re]) => re.test(text));
  assert.ok(hit, `an openssl verify error this test does not map: ${text}`);
  return hit[1];
}

/** Whether the product checks the trusted root's dates below level 3 (as its dialect sets rootDates). */
const ROOT_DATES: Record<Product, boolean> = { 'sara-r5': false, 'sara-r410m': false, telit: true, bc66: false };

function rulesOf(product: Product): CertificateRules {
  if (product === 'sara-r5') return saraR5Tls.certificates;
  if (product === 'sara-r410m') return saraR4Tls.certificates;
  return findModel(product === 'telit' ? 'ge910' : 'bc66')!.tls.certificates;
}

/** What the module must answer for a chain at a level, and why when openssl verify says otherwise. */
function expected(chain: string, level: number, product: Product, handshake = false): VerifyFailure | undefined {
  if (level === 0) return undefined; // level 0 checks nothing (seed 002 +USECPRF op 0)
  const rule = RULES.find((r) => r.chain === chain && r.products.includes(product) && r.levels.includes(level) && (handshake || !r.handshakeOnly));
  if (rule) return rule.verdict;
  const e = EXPECTED[chain];
  return e && level >= e.level ? e.failure : undefined;
}

let chains: DefectChains;
/** openssl verify's verdict per "chain/level", computed once. */
const openssl = new Map<string, VerifyFailure | undefined>();
const NOW = Date.now();

/** Compares the module's verdict with openssl verify's: equal, or a rule names the difference. */
function checkAgainstOpenssl(chain: string, level: number, product: Product, verdict: VerifyFailure | undefined, via: string): void {
  const handshake = via !== 'verifyServer';
  assert.equal(verdict, expected(chain, level, product, handshake), `${via}: ${chain} at level ${level} on ${product}`);
  if (level === 0) return;
  const theirs = openssl.get(`${chain}/${level}`);
  if (verdict === theirs) return;
  const rule = RULES.find((r) => r.chain === chain && r.products.includes(product) && r.levels.includes(level) && r.verdict === verdict && (handshake || !r.handshakeOnly));
  assert.ok(rule, `${via}: ${chain} at level ${level} on ${product}: the module says ${verdict ?? 'OK'}, openssl verify ${theirs ?? 'OK'}, and no product rule says why`);
}

// The certificate decoder loads lazily (cert-facts.ts); the direct calls below need it.
before(() => loadCertLib());
before(() => {
  chains = makeDefectChains(NOW);
  assert.deepEqual([...chains.chains.keys()].sort(), Object.keys(EXPECTED).sort(), 'every chain has an expectation');
  for (const name of chains.chains.keys()) for (const level of [1, 2, 3]) openssl.set(`${name}/${level}`, opensslFailure(chains.opensslVerify(name, level, HOST, NOW)));
});
after(() => chains.dispose());

describe('path validation: every defect alone, every level, every product\'s rules, against openssl verify', () => {
  for (const product of ['sara-r5', 'sara-r410m', 'telit', 'bc66'] as const) {
    it(product, () => {
      for (const [name, c] of chains.chains) {
        for (const level of [0, 1, 2, 3]) {
          const v = verifyServer({
            level,
            chain: c.presented.map((p) => new X509Certificate(p)),
            trusted: [new X509Certificate(c.root)],
            hostname: HOST,
            now: NOW,
            rootDates: ROOT_DATES[product] && level >= 1,
            rules: rulesOf(product),
          });
          checkAgainstOpenssl(name, level, product, v.ok ? undefined : v.failure, 'verifyServer');
        }
      }
    });
  }
});

/** Real TLS servers, one per chain, answering HTTP requests (a socket connect sends nothing). */
type Server = Awaited<ReturnType<typeof tlsServer>>;
/** Started once per chain and shared by the products' suites, which run at the same time. */
const servers = new Map<string, Promise<Server>>();

function serverFor(name: string): Promise<Server> {
  let s = servers.get(name);
  if (!s) {
    const c = chains.get(name);
    // TLS 1.0 and @SECLEVEL=0: the Telit stack and the MD5/SHA-1 chains need them.
    s = tlsServer({ key: c.key, cert: c.presented.join(''), minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (sock: TLSSocket) => {
      let request = '';
      sock.on('data', (d: Buffer) => {
        request += d.toString('latin1');
        if (!request.includes('\r\n\r\n')) return;
        sock.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      });
    });
    servers.set(name, s);
  }
  return s;
}

after(async () => {
  for (const s of servers.values()) await (await s).close();
});

/**
 * The problem the module's TLS service decided for its latest secure connect to a port
 * (undefined when it succeeded): the typed fact behind the vendor's code, observed on the
 * real service. By port, so that nothing an earlier connection left can be read.
 */
function watchTls(h: ModuleHarness): { last: (port: number) => VerifyFailure | undefined } {
  const tls = h.module.services.tls;
  const secure = tls.secure.bind(tls);
  const byPort = new Map<number, TlsProblem | undefined>();
  tls.secure = (req) => {
    const start = secure(req);
    byPort.set(req.port, undefined);
    start.ready.then(
      () => byPort.set(req.port, undefined),
      (err: unknown) => byPort.set(req.port, err instanceof TlsFailure ? err.problem : 'protocol'),
    );
    return start;
  };
  return {
    last: (port) => {
      assert.ok(byPort.has(port), `no secure connect to port ${port}`);
      return byPort.get(port) as VerifyFailure | undefined;
    },
  };
}

/** The products run side by side (separate modules, shared servers): the file stays fast on a loaded machine. */
describe('secure connects on every product', { concurrency: true }, () => {
  describe('u-blox SARA-R5: +USOCO on a secure socket (+USOSEC) and HTTPS (+UHTTPC), levels 0-3', { concurrency: 1 }, () => {
    let h: ModuleHarness;
    let seen: ReturnType<typeof watchTls>;
    before(async () => {
      h = await ublox({ clock: new ManualClock(NOW) });
      seen = watchTls(h);
      assert.equal(await at(h, 'AT+CMEE=1'), '\r\nOK\r\n');
    });
    after(() => h.close());

    const trust = async (pem: string) => {
      assert.equal(await at(h, `AT+USECMNG=0,0,"matrix",${Buffer.byteLength(pem)}`), '\r\n>');
      assert.match(await h.send(pem), /\r\nOK\r\n$/);
    };

    it('+USOCO: OK when the module accepts the chain; +CME ERROR and +USOER 71 (EPROTO) when it refuses', async () => {
      for (const name of chains.chains.keys()) {
        const srv = await serverFor(name);
        await trust(chains.get(name).root);
        for (const level of [0, 1, 2, 3]) {
          assert.equal(await at(h, `AT+USECPRF=0,0,${level}`), '\r\nOK\r\n');
          assert.equal(await at(h, 'AT+USECPRF=0,3,"matrix"'), '\r\nOK\r\n');
          const created = await at(h, 'AT+USOCR=6');
          const socket = /\+USOCR: (\d+)/.exec(created)?.[1];
          assert.ok(socket, created);
          assert.equal(await at(h, `AT+USOSEC=${socket},1,0`), '\r\nOK\r\n');
          const out = await atUntil(h, `AT+USOCO=${socket},"${HOST}",${srv.port}`, '\r\n', 10_000);
          const text = out.includes('OK') || out.includes('ERROR') ? out : out + (await h.waitFor('\r\n', 10_000));
          const refused = text.includes('+CME ERROR');
          if (refused) assert.equal(await at(h, 'AT+USOER'), '\r\n+USOER: 71\r\n\r\nOK\r\n', `${name} level ${level}`);
          const want = expected(name, level, 'sara-r5');
          assert.equal(refused, want !== undefined, `${name} at level ${level}: ${JSON.stringify(text)}`);
          checkAgainstOpenssl(name, level, 'sara-r5', seen.last(srv.port), '+USOCO');
          await at(h, `AT+USOCL=${socket}`);
        }
      }
    });

    it('+UHTTPC over HTTPS: +UUHTTPCR <result> 1 or 0 with +UHTTPER 3,73 (secure socket connect error)', async () => {
      for (const name of chains.chains.keys()) {
        const srv = await serverFor(name);
        await trust(chains.get(name).root);
        assert.equal(await at(h, `AT+UHTTP=0,0,"${HOST}"`), '\r\nOK\r\n');
        assert.equal(await at(h, `AT+UHTTP=0,5,${srv.port}`), '\r\nOK\r\n');
        assert.equal(await at(h, 'AT+UHTTP=0,6,1,0'), '\r\nOK\r\n');
        for (const level of [0, 1, 2, 3]) {
          assert.equal(await at(h, `AT+USECPRF=0,0,${level}`), '\r\nOK\r\n');
          assert.equal(await at(h, 'AT+USECPRF=0,3,"matrix"'), '\r\nOK\r\n');
          let out = await atUntil(h, 'AT+UHTTPC=0,1,"/","page"', '+UUHTTPCR: 0,1,', 10_000);
          if (!out.endsWith('\r\n')) out += await h.waitFor('\r\n', 2000);
          const ok = /\+UUHTTPCR: 0,1,1/.test(out);
          const want = expected(name, level, 'sara-r5');
          assert.equal(ok, want === undefined, `${name} at level ${level}: ${JSON.stringify(out)}`);
          if (!ok) assert.equal(await at(h, 'AT+UHTTPER=0'), '\r\n+UHTTPER: 0,3,73\r\n\r\nOK\r\n');
          checkAgainstOpenssl(name, level, 'sara-r5', seen.last(srv.port), '+UHTTPC');
        }
      }
    });

    it('+UFTPC=1 over FTPS (+UFTP=8,1,0): +UUFTPCR: 1,1, or 1,0 with +UFTPER: 1,8 (TLS failure)', async () => {
      for (const line of ['AT+UFTP=0,"127.0.0.1"', `AT+UFTP=2,"${FTP_USER}"`, `AT+UFTP=3,"${FTP_PASSWORD}"`, 'AT+UFTP=6,1', 'AT+UFTP=8,1,0']) {
        assert.equal(await at(h, line), '\r\nOK\r\n', line);
      }
      for (const name of chains.chains.keys()) {
        const c = chains.get(name);
        const srv: TestFtpServer = await startFtpServer({ tls: legacyTls(c.presented.join(''), c.key) });
        try {
          await trust(c.root);
          assert.equal(await at(h, `AT+UFTP=7,${srv.port}`), '\r\nOK\r\n');
          for (const level of [0, 1, 2, 3]) {
            assert.equal(await at(h, `AT+USECPRF=0,0,${level}`), '\r\nOK\r\n');
            assert.equal(await at(h, 'AT+USECPRF=0,3,"matrix"'), '\r\nOK\r\n');
            let out = await atUntil(h, 'AT+UFTPC=1', '+UUFTPCR: 1,', 10_000);
            if (!out.endsWith('\r\n')) out += await h.waitFor('\r\n', 2000);
            const ok = /\+UUFTPCR: 1,1\r\n/.test(out);
            const want = expected(name, level, 'sara-r5');
            assert.equal(ok, want === undefined, `${name} at level ${level}: ${JSON.stringify(out)}`);
            checkAgainstOpenssl(name, level, 'sara-r5', seen.last(srv.port), '+UFTPC');
            if (ok) {
              const bye = await atUntil(h, 'AT+UFTPC=0', '+UUFTPCR: 0,', 10_000);
              assert.match(bye.endsWith('\r\n') ? bye : bye + (await h.waitFor('\r\n', 2000)), /\+UUFTPCR: 0,1\r\n/);
            } else {
              assert.equal(await at(h, 'AT+UFTPER'), '\r\n+UFTPER: 1,8\r\n\r\nOK\r\n', `${name} at level ${level}`);
            }
          }
        } finally {
          await srv.close();
        }
      }
    });
  });

  describe('Telit GE910: #SSLD and FTPS (#FTPOPEN) in auth modes 0 and 1 (levels 0 and 1 with the CA\'s dates)', { concurrency: 1 }, () => {
    let h: ModuleHarness;
    let seen: ReturnType<typeof watchTls>;
    before(async () => {
      h = await telitModule('ge910', new ManualClock(NOW));
      seen = watchTls(h);
    });
    after(() => h.close());

    it('#SSLD: OK, or +CME ERROR: 839 when the module refuses the chain', async () => {
      for (const name of chains.chains.keys()) {
        const srv = await serverFor(name);
        for (const auth of [0, 1]) {
          assert.equal(await telitAt(h, `AT#SSLSECCFG=1,0,${auth}\r`), '\r\nOK\r\n');
          if (auth === 1) assert.equal(await storePem(h, 1, chains.get(name).root), '\r\nOK\r\n');
          const out = await telitAt(h, `AT#SSLD=1,${srv.port},"${HOST}",0,1\r`, 10_000);
          const want = expected(name, auth, 'telit');
          assert.equal(out, want === undefined ? '\r\nOK\r\n' : '\r\n+CME ERROR: 839\r\n', `${name} in auth mode ${auth}`);
          checkAgainstOpenssl(name, auth, 'telit', seen.last(srv.port), '#SSLD');
          if (want === undefined) assert.equal(await telitAt(h, 'AT#SSLH=1\r'), '\r\nOK\r\n');
        }
      }
    });

    it('#FTPOPEN over FTPS: OK, or +CME ERROR: 839', async () => {
      assert.equal(await telitAt(h, 'AT#FTPCFG=100,0,1\r'), '\r\nOK\r\n');
      for (const name of chains.chains.keys()) {
        const c = chains.get(name);
        const srv: TestFtpServer = await startFtpServer({ tls: legacyTls(c.presented.join(''), c.key) });
        try {
          for (const auth of [0, 1]) {
            assert.equal(await telitAt(h, `AT#SSLSECCFG=1,0,${auth}\r`), '\r\nOK\r\n');
            if (auth === 1) assert.equal(await storePem(h, 1, c.root), '\r\nOK\r\n');
            const out = await telitAt(h, `AT#FTPOPEN="${HOST}:${srv.port}","${FTP_USER}","${FTP_PASSWORD}",1\r`, 10_000);
            const want = expected(name, auth, 'telit');
            assert.equal(out, want === undefined ? '\r\nOK\r\n' : '\r\n+CME ERROR: 839\r\n', `${name} in auth mode ${auth}`);
            checkAgainstOpenssl(name, auth, 'telit', seen.last(srv.port), '#FTPOPEN');
            if (want === undefined) assert.equal(await telitAt(h, 'AT#FTPCLOSE\r', 10_000), '\r\nOK\r\n');
          }
        } finally {
          await srv.close();
        }
      }
    });
  });

  describe('Quectel BC66: +QSSLOPEN with seclevel 0 and 1', { concurrency: 1 }, () => {
    let host: QuectelHost;
    let seen: ReturnType<typeof watchTls>;
    before(async () => {
      host = await QuectelHost.create();
      seen = watchTls(host.h);
    });
    after(() => host.close());

    it('+QSSLOPEN: <err> 0, or -3 (certificate error) when the module refuses the chain', async () => {
      for (const name of chains.chains.keys()) {
        const srv = await serverFor(name);
        const root = chains.get(name).root;
        for (const seclevel of [0, 1]) {
          assert.equal(await host.at(`AT+QSSLCFG=1,0,"seclevel",${seclevel}`), '\r\nOK\r\n');
          if (seclevel === 1) {
            host.write('AT+QSSLCFG=1,0,"cacert"\r');
            await host.expect('\r\n> ');
            host.write(`${root}\x1a`);
            await host.until(/\+QSSLCFG: 1,0,"cacert",\d+\r\n\r\nOK\r\n/);
          }
          assert.equal(await host.at(`AT+QSSLOPEN=1,0,"${HOST}",${srv.port},0`), '\r\nOK\r\n');
          const text = await host.until(/\r\n\+QSSLOPEN: 1,0,(-?\d+)\r\n/, 10_000);
          const err = Number(/(-?\d+)\r\n$/.exec(text)![1]);
          const want = expected(name, seclevel, 'bc66');
          assert.equal(err, want === undefined ? 0 : -3, `${name} at seclevel ${seclevel}`);
          checkAgainstOpenssl(name, seclevel, 'bc66', seen.last(srv.port), '+QSSLOPEN');
          if (err === 0) {
            assert.equal(await host.at('AT+QSSLCLOSE=1,0'), '\r\nOK\r\n');
            await host.expect('\r\n+QSSLCLOSE: 1,0,0\r\n');
          }
        }
      }
    });
  });
});
