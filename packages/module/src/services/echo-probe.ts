import { execFile } from 'node:child_process';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One echo: a reply with its TTL and round-trip time, no reply in time, or TTL exceeded on the way. */
export type EchoOutcome = { kind: 'reply'; ttl: number; rttMs: number } | { kind: 'timeout' } | { kind: 'ttl-exceeded' };

export interface EchoRequest {
  address: string;
  size: number;
  ttl: number;
  timeoutMs: number;
}

export type EchoProbe = (req: EchoRequest) => Promise<EchoOutcome>;

/** The system's ping could not run at all (missing, or no permission for ICMP sockets). */
class PingUnavailable extends Error {}

/**
 * A real ICMP echo through the system's iputils `ping`, one process per echo so every
 * echo has its own size, TTL and timeout. The reply's TTL and time come from ping's
 * output; payloads under 8 bytes carry no timestamp, so their time is the process's
 * elapsed time, an upper bound.
 */
export function systemPing(req: EchoRequest): Promise<EchoOutcome> {
  const args = ['-n', '-c', '1', '-W', String(Math.max(req.timeoutMs, 10) / 1000), '-s', String(req.size), '-t', String(req.ttl), req.address];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('ping', args, { timeout: req.timeoutMs + 3000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const elapsed = performance.now() - started;
      const out = `${stdout}\n${stderr}`;
      const code = (err as (NodeJS.ErrnoException & { code?: string | number }) | null)?.code;
      if (code === 'ENOENT' || code === 'EACCES' || /not permitted|permission denied|socket:/i.test(stderr)) {
        reject(new PingUnavailable(out));
        return;
      }
      if (/time to live exceeded/i.test(out)) return resolve({ kind: 'ttl-exceeded' });
      const ttl = /ttl=(\d+)/.exec(stdout);
      if (!err && ttl) {
        const time = /time[=<]([\d.]+)\s*ms/.exec(stdout);
        const rtt = time ? Number(time[1]) : Math.min(elapsed, req.timeoutMs);
        return resolve({ kind: 'reply', ttl: Number(ttl[1]), rttMs: Math.round(rtt) });
      }
      // Exit 1 (no reply) and exit 2 for unreachable networks are both "no answer in time".
      resolve({ kind: 'timeout' });
    });
  });
}

/**
 * The fallback when ICMP is not available to this process: a TCP connection attempt to
 * the echo port (7). Either the handshake completes or the host refuses it with a RST —
 * both prove a round trip to the target, and the time until then is the RTT. A TCP probe
 * cannot see the reply's TTL, so it reports 64, the usual initial TTL of Linux hosts.
 */
export function tcpEchoProbe(req: EchoRequest): Promise<EchoOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (outcome: EchoOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const reply = () => finish({ kind: 'reply', ttl: 64, rttMs: Math.round(performance.now() - started) });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), req.timeoutMs);
    socket.once('connect', reply);
    socket.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? reply() : finish({ kind: 'timeout' })));
    socket.connect({ host: req.address, port: 7 });
  });
}

/** System ping while it works; the TCP probe for good once it turns out to be unavailable. */
export function createEchoProbe(): EchoProbe {
  let icmp = true;
  return async (req) => {
    if (icmp) {
      try {
        return await systemPing(req);
      } catch (err) {
        if (!(err instanceof PingUnavailable)) throw err;
        icmp = false;
      }
    }
    return tcpEchoProbe(req);
  };
}
