import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Clock } from '@modemlab/at';
import type { TlsTable } from '../../../models/tls-table.js';
import type { SecurityProfile } from '../profiles.js';
import { planConnection, PlanError, type TlsCredentials } from '../tls-options.js';
import { verifyServer } from '../verify.js';
import { loadCertLib } from '../cert-facts.js';
import { CertDtlsSession, type DtlsResumable } from './client.js';
import { dtlsSuiteByCode } from './suites.js';

export type { DtlsResumable };
export { CertDtlsError } from './client.js';

export interface CertDtlsRequest {
  profile: SecurityProfile;
  table: TlsTable;
  credentials: TlsCredentials;
  clock: Clock;
  host: string;
  port: number;
  /** The module's date that certificate validity is checked at. */
  now: () => number;
  resume?: DtlsResumable;
  signal?: AbortSignal;
}

/**
 * A profile turned into a certificate DTLS 1.2 handshake: the same plan as TLS (suites,
 * client certificate, trusted roots, host name), the suites cut to those the client runs.
 * Throws PlanError (profile cannot give a handshake) or CertDtlsError (handshake failed).
 */
export async function openCertDtls(req: CertDtlsRequest): Promise<{ session: CertDtlsSession; resumable?: DtlsResumable }> {
  await loadCertLib();
  const plan = planConnection({ profile: req.profile, table: req.table, credentials: req.credentials, host: req.host });
  const suites = plan.suites.filter((s) => !s.tls13 && dtlsSuiteByCode(s.code)).map((s) => s.code);
  if (suites.length === 0) throw new PlanError('no-cipher', `no certificate DTLS 1.2 suite among ${plan.suites.map((s) => s.name).join(', ')}`);
  const o = plan.options;
  const chain = typeof o.cert === 'string' ? splitPem(o.cert).map((p) => new X509Certificate(p)) : [];
  const key = typeof o.key === 'string' ? createPrivateKey(o.key) : undefined;
  const session = await CertDtlsSession.open(
    {
      host: req.host,
      port: req.port,
      ...(o.servername ? { servername: o.servername } : {}),
      suites,
      ...(chain.length && key ? { chain, key } : {}),
      clock: req.clock,
      ...(req.resume ? { resume: req.resume } : {}),
      verify: (der) => {
        const verdict = verifyServer({
          level: plan.verify.level,
          chain: der.map((c) => new X509Certificate(c)),
          trusted: plan.verify.trusted,
          hostname: plan.verify.hostname,
          now: req.now(),
          rootDates: plan.verify.rootDates,
          rules: req.table.certificates,
          ...(plan.verify.pin ? { pin: plan.verify.pin } : {}),
        });
        return verdict.ok ? { ok: true } : { ok: false, failure: verdict.failure, message: verdict.message };
      },
    },
    req.signal,
  );
  const resumable = session.resumable;
  return resumable ? { session, resumable } : { session };
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
