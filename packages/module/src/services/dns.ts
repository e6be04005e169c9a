import { lookup, reverse } from 'node:dns/promises';
import { isIP } from 'node:net';
import { fail, ServiceError } from './errors.js';
import { DataPath } from './net/data-path.js';
import type { NetPolicy } from './net/net-policy.js';
import type { NetworkOperator } from './network/operator.js';
import type { PdpContexts } from './network/pdp.js';

/** The host's resolver, replaceable in tests. */
export interface Resolver {
  lookup(name: string): Promise<string>;
  reverse(address: string): Promise<string[]>;
}

const systemResolver: Resolver = {
  lookup: async (name) => (await lookup(name, { family: 4 })).address,
  reverse: (address) => reverse(address),
};

/** getaddrinfo can hang on a broken resolver; a module's DNS query gives up like this. */
const REAL_DNS_TIMEOUT_MS = 10_000;

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * Name resolution for the module's own IP stack: the static host table the lab gave the
 * module first (case-insensitive), then the real resolver of the machine. Like on a real
 * module, it needs an active PDP context.
 */
export class DnsService {
  private readonly path: DataPath;

  constructor(
    private readonly hosts: Map<string, string>,
    operator: NetworkOperator,
    pdp: PdpContexts,
    private readonly resolver: Resolver = systemResolver,
    /** The lab network policy: in lab mode no name leaves for the real resolver. */
    private readonly policy?: NetPolicy,
  ) {
    this.path = new DataPath(operator, pdp);
  }

  /** Throws unless a query could leave the module now (registered, a context with an address). */
  checkDataPath(): void {
    this.path.check();
  }

  async resolve(name: string): Promise<string> {
    this.checkDataPath();
    if (isIP(name) === 4) return name;
    const fixed = this.hosts.get(name.toLowerCase());
    if (fixed) return fixed;
    // RFC 6761: names under .invalid never exist; a resolver answers so without asking.
    if (/(^|\.)invalid\.?$/i.test(name)) throw fail('host-not-found');
    if (this.policy?.lab) {
      // RFC 6761: localhost names are the machine's own, answered without a query.
      if (/(^|\.)localhost\.?$/i.test(name)) return '127.0.0.1';
      if (!this.policy.allowsLookup(name)) throw fail('host-not-found', `${name}: not in the lab's host table`);
    }
    return this.query(() => this.resolver.lookup(name));
  }

  async reverse(address: string): Promise<string> {
    this.checkDataPath();
    for (const [name, ip] of this.hosts) if (ip === address) return name;
    if (isIP(address) === 0) throw fail('host-not-found');
    if (this.policy?.lab && !this.policy.allowsLookup(address)) throw fail('host-not-found', `${address}: not in the lab's host table`);
    const names = await this.query(() => this.resolver.reverse(address));
    if (!names[0]) throw fail('host-not-found');
    return names[0];
  }

  private async query<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fail('dns-failure', 'timeout')), REAL_DNS_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? '';
      throw fail(NOT_FOUND.has(code) ? 'host-not-found' : 'dns-failure', String(err));
    } finally {
      clearTimeout(timer);
    }
  }
}
