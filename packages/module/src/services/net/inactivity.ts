import type { Clock, TimerHandle } from '@modemlab/at';

/** How often the watchdog looks at the byte counters, in module time. */
const TICK_MS = 1000;

export interface InactivityWatch {
  /** The module's clock: a manual clock drives the watchdog in tests. */
  clock: Clock;
  /** A number that changes whenever a byte moves (a sum of byte counters). */
  activity: () => number;
  limitMs: number;
  expire: () => void;
  /** While true the time does not count (the module waits for its host, not the peer). */
  waitingOnHost?: () => boolean;
}

/**
 * The one inactivity watchdog every client shares (TLS handshakes, HTTP requests, FTP
 * sessions): calls `expire` once `limitMs` of module time pass without any change of
 * `activity()`, the manuals' "timeout counted from the last successful network read or
 * send". It looks every second of module time rather than hooking every byte, so it costs
 * nothing on the data path.
 */
export function watchInactivity(w: InactivityWatch): { cancel(): void } {
  const tick = Math.min(TICK_MS, w.limitMs);
  let seen = w.activity();
  let last = w.clock.now();
  let handle: TimerHandle;
  let cancelled = false;
  const check = () => {
    if (cancelled) return;
    const now = w.clock.now();
    const n = w.activity();
    if (n !== seen || w.waitingOnHost?.()) {
      seen = n;
      last = now;
    }
    if (now - last >= w.limitMs) expire();
    else handle = w.clock.setTimeout(check, tick);
  };
  const expire = () => {
    cancelled = true;
    w.expire();
  };
  handle = w.clock.setTimeout(check, tick);
  return {
    cancel: () => {
      cancelled = true;
      handle.cancel();
    },
  };
}
