/**
 * The lab's port forwards: a TCP connection or UDP datagram the module sends to `address:port` goes to
 * another local endpoint instead. A test server listens on an ephemeral port yet stands for
 * a well-known one (an HTTPS server "on 443"), so seed examples that never name a port run
 * unchanged and without privileges. The module still believes it talks to the original
 * port (what it reports, the Host header it sends).
 */
export class LabRoutes {
  private readonly forwards = new Map<string, { host: string; port: number }>();

  /** `forwards`: "ip:port" -> "ip:port" (or just a port: same address). */
  constructor(forwards: Record<string, string> = {}) {
    for (const [from, to] of Object.entries(forwards)) {
      const target = /^(.*):(\d+)$/.exec(to);
      this.forwards.set(from, target ? { host: target[1]!, port: Number(target[2]) } : { host: from.replace(/:\d+$/, ''), port: Number(to) });
    }
  }

  /** Where a TCP connect to `address:port` really goes. */
  tcpTarget(address: string, port: number): { host: string; port: number } {
    return this.forwards.get(`${address}:${port}`) ?? { host: address, port };
  }

  /** Where a UDP datagram to `address:port` really goes: the same forwards as TCP. */
  udpTarget(address: string, port: number): { host: string; port: number } {
    return this.tcpTarget(address, port);
  }

  /** Who a datagram from a forward's target came from as the module sees it: the forwarded endpoint. */
  udpSource(address: string, port: number): { address: string; port: number } {
    for (const [from, to] of this.forwards) {
      if (to.host === address && to.port === port) {
        const m = /^(.*):(\d+)$/.exec(from)!;
        return { address: m[1]!, port: Number(m[2]) };
      }
    }
    return { address, port };
  }

  /** The addresses the forwards lead to (the lab network policy lets the module reach them). */
  targets(): string[] {
    return [...this.forwards.values()].map((t) => t.host);
  }
}
