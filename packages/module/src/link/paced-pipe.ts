import type { Clock, TimerHandle } from '@modemlab/at';
import type { DataPipe, PipeReceiver as DataSink } from './byte-pipe.js';

export interface PacingOptions {
  clock: Clock;
  /** Bytes from the host leave in packets of this size... */
  packetSize: number;
  /** ...or when they have waited this long (0: at once). */
  flushMs: number;
  /** No byte in either direction for this long ends the session (0: never). */
  idleMs: number;
  /** Called once when the idle timer ended the session, after the terminal was told (NO CARRIER). */
  onIdle(): void;
}

/**
 * Online-mode pacing over a connection's byte pipe (Telit #SSLCFG <pktSize>, <txTo>,
 * <maxTo>; the same knobs exist for plain sockets): host bytes are gathered into packets
 * of `packetSize` and sent when one is full or when the oldest waiting byte is `flushMs`
 * old; bytes from the network pass at once. While attached, `idleMs` without traffic in
 * either direction ends the session: the sink is closed (the terminal prints NO CARRIER)
 * and `onIdle` closes the connection. Timers run on the module clock.
 */
export function pacedPipe(inner: DataPipe, o: PacingOptions): DataPipe {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let flushTimer: TimerHandle | undefined;
  let idleTimer: TimerHandle | undefined;
  let lastActivity = o.clock.now();
  let sink: DataSink | undefined;

  const flush = () => {
    flushTimer?.cancel();
    flushTimer = undefined;
    if (pendingBytes === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    inner.write(data);
  };

  const touch = () => {
    lastActivity = o.clock.now();
  };

  const armIdle = () => {
    idleTimer?.cancel();
    idleTimer = undefined;
    if (o.idleMs <= 0 || !sink) return;
    const wait = Math.max(0, lastActivity + o.idleMs - o.clock.now());
    idleTimer = o.clock.setTimeout(() => {
      idleTimer = undefined;
      if (!sink) return;
      if (o.clock.now() - lastActivity >= o.idleMs) {
        const s = sink;
        stop();
        s.close();
        o.onIdle();
      } else armIdle();
    }, wait);
  };

  const stop = () => {
    idleTimer?.cancel();
    idleTimer = undefined;
    flush();
    sink = undefined;
    inner.detach();
  };

  return {
    write(bytes) {
      touch();
      let rest = bytes;
      while (rest.length > 0) {
        const room = o.packetSize - pendingBytes;
        const part = rest.subarray(0, room);
        pending.push(Buffer.from(part));
        pendingBytes += part.length;
        rest = rest.subarray(part.length);
        if (pendingBytes >= o.packetSize) flush();
      }
      if (pendingBytes === 0) return;
      if (o.flushMs <= 0) flush();
      else flushTimer ??= o.clock.setTimeout(flush, o.flushMs);
    },
    attach(s) {
      sink = s;
      touch();
      inner.attach({
        data(bytes) {
          touch();
          s.data(bytes);
        },
        close() {
          if (sink !== s) return;
          idleTimer?.cancel();
          idleTimer = undefined;
          sink = undefined;
          flushTimer?.cancel();
          flushTimer = undefined;
          pending = [];
          pendingBytes = 0;
          s.close();
        },
      });
      armIdle();
    },
    detach() {
      stop();
    },
  };
}
