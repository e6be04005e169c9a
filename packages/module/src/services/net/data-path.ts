import { fail } from '../errors.js';
import type { NetworkOperator } from '../network/operator.js';
import type { PdpContexts } from '../network/pdp.js';

/**
 * Whether traffic can leave the module now, and through which context: registered, and a
 * PDP context with an address. Every client (sockets, HTTP, FTP, DNS, ping) asks here first,
 * so "no data path" is the same refusal everywhere.
 */
export class DataPath {
  constructor(
    private readonly operator: NetworkOperator,
    private readonly pdp: PdpContexts,
  ) {}

  /** Throws the service's refusal ('not-registered', 'no-data-path') unless traffic can leave now. */
  check(): void {
    if (!this.operator.registered) throw fail('not-registered');
    if (!this.pdp.hasDataPath()) throw fail('no-data-path');
  }

  /** Checks, and returns the context traffic goes through: the first with IPv4, else with IPv6. */
  context(): number {
    this.check();
    const active = this.pdp.activeList();
    const ctx = active.find((c) => c.ipv4 !== undefined) ?? active.find((c) => c.ipv6 !== undefined);
    return ctx!.cid;
  }

  /** The module's address on context `cid` ('0.0.0.0' when it has none). */
  address(cid: number): string {
    const c = this.pdp.context(cid);
    return c?.ipv4 ?? c?.ipv6 ?? '0.0.0.0';
  }
}
