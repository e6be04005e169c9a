import { isIP } from 'node:net';

/**
 * How far a module's IP stack may reach. `lab`: only loopback and the targets the lab named
 * (the host table's addresses, the forwards' targets); `open`: anywhere this machine can.
 */
export type NetMode = 'lab' | 'open';

export const NET_MODES: readonly NetMode[] = ['lab', 'open'];

/** What the policy refused, for the lab's log. */
export type Refusal = { kind: 'name'; name: string } | { kind: 'address'; address: string; port?: number; protocol: 'tcp' | 'udp' | 'icmp' };

/**
 * The lab network policy, applied by the module's DNS (names) and the one dialer
 * (addresses, after the lab routes): a refused name fails as a name that does not exist, a
 * refused address as an unreachable host, and each refusal is logged, so a lab (and every
 * test) cannot reach past this machine by accident.
 */
export class NetPolicy {
  private readonly allowed: Set<string>;

  constructor(
    readonly mode: NetMode,
    hosts: Map<string, string>,
    forwardTargets: Iterable<string>,
    private readonly log: (message: string, detail?: unknown) => void = () => {},
  ) {
    this.allowed = new Set([...hosts.values(), ...forwardTargets]);
  }

  get lab(): boolean {
    return this.mode === 'lab';
  }

  /** May the system resolver be asked for `name`? (The host table is asked first, always.) */
  allowsLookup(name: string): boolean {
    if (!this.lab) return true;
    this.refused({ kind: 'name', name });
    return false;
  }

  /** May traffic go to `address` (where it really goes, after the lab routes)? */
  allowsAddress(address: string, protocol: 'tcp' | 'udp' | 'icmp', port?: number): boolean {
    if (!this.lab || isLoopback(address) || this.allowed.has(address)) return true;
    this.refused({ kind: 'address', address, protocol, ...(port === undefined ? {} : { port }) });
    return false;
  }

  private refused(what: Refusal): void {
    const target = what.kind === 'name' ? `name ${what.name}` : `${what.protocol} ${what.address}${what.port === undefined ? '' : `:${what.port}`}`;
    this.log(`net lab: refused ${target} (not loopback, not in --hosts/--forward)`, what);
  }
}

/** 127.0.0.0/8 and ::1 (an IPv4-mapped loopback too). */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^::ffff:/i, '');
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}
