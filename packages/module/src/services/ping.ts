import { EventEmitter } from 'node:events';
import type { DnsService } from './dns.js';
import { createEchoProbe, type EchoOutcome, type EchoProbe, type EchoRequest } from './echo-probe.js';
import { ServiceError, type ServiceFailureReason } from './errors.js';
import type { NetPolicy } from './net/net-policy.js';

export interface PingRequest {
  host: string;
  count: number;
  size: number;
  timeoutMs: number;
  ttl: number;
  /** Who asked (a terminal): replies are reported to it alone. */
  owner: unknown;
}

export interface EchoReport {
  owner: unknown;
  seq: number;
  size: number;
  host: string;
  address: string;
  /** TTL of the reply; the request's TTL when there was none. */
  ttl: number;
  /** Round-trip time in ms; -1 no reply in time, -2 TTL exceeded on the way. */
  rttMs: number;
}

export interface PingEvents {
  echo: [EchoReport];
  /** Named so because EventEmitter throws 'error' events nobody listens to. */
  failure: [{ owner: unknown; reason: ServiceFailureReason | 'echo-failure' }];
  done: [{ owner: unknown }];
}

/**
 * Ping from the module: the name goes through the module's DNS, then each echo is a real
 * round trip from this machine (see echo-probe.ts). Echoes run one after another; a
 * power-off or close abandons the rest.
 */
export class PingService extends EventEmitter<PingEvents> {
  private generation = 0;

  constructor(
    private readonly dns: DnsService,
    private readonly probe: EchoProbe = createEchoProbe(),
    /** Share of echoes the simulated radio link drops before they leave. */
    private readonly packetLoss: () => number = () => 0,
    /** The lab network policy: an echo to a refused address is lost, as to an unreachable host. */
    private readonly policy?: NetPolicy,
  ) {
    super();
  }

  /** Starts a ping in the background; results and errors arrive as events. */
  start(req: PingRequest): void {
    void this.run(req, this.generation);
  }

  /** Abandons every ping in progress. */
  stop(): void {
    this.generation++;
  }

  private async run(req: PingRequest, generation: number): Promise<void> {
    const alive = () => generation === this.generation;
    let address: string;
    try {
      address = await this.dns.resolve(req.host);
    } catch (err) {
      if (alive()) this.emit('failure', { owner: req.owner, reason: err instanceof ServiceError ? err.reason : 'echo-failure' });
      return;
    }
    const reachable = this.policy?.allowsAddress(address, 'icmp') ?? true;
    for (let seq = 1; seq <= req.count && alive(); seq++) {
      try {
        this.dns.checkDataPath();
      } catch (err) {
        if (alive()) this.emit('failure', { owner: req.owner, reason: (err as ServiceError).reason });
        return;
      }
      let outcome: EchoOutcome;
      try {
        const request = { address, size: req.size, ttl: req.ttl, timeoutMs: req.timeoutMs };
        outcome = !reachable || Math.random() < this.packetLoss() ? await droppedEcho(request) : await this.probe(request);
      } catch {
        if (alive()) this.emit('failure', { owner: req.owner, reason: 'echo-failure' });
        return;
      }
      if (!alive()) return;
      this.emit('echo', {
        owner: req.owner,
        seq,
        size: req.size,
        host: req.host,
        address,
        ttl: outcome.kind === 'reply' ? outcome.ttl : req.ttl,
        rttMs: outcome.kind === 'reply' ? outcome.rttMs : outcome.kind === 'timeout' ? -1 : -2,
      });
    }
    if (alive()) this.emit('done', { owner: req.owner });
  }
}

/** An echo the simulated radio dropped: nothing comes back, so it ends when its timeout does. */
function droppedEcho(req: EchoRequest): Promise<EchoOutcome> {
  return new Promise((resolve) => setTimeout(() => resolve({ kind: 'timeout' }), req.timeoutMs));
}
