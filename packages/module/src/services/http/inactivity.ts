import type { Clock, TimerHandle } from '@modemlab/at';

/** How often the watchdog looks at the byte counters, in module time. */
const TICK_MS = 1000;

/**
 * Calls `expire` once `limitMs` of module time pass without any change of `activity()`
 * (a byte counter): the manuals' "timeout counted from the last successful network read or
 * send". Checked every second of module time, so a manual clock drives it in tests.
 */
export function watchInactivity(clock: Clock, activity: () => number, limitMs: number, expire: () => void): { cancel(): void } {
  let seen = activity();
  let last = clock.now();
  let handle: TimerHandle;
  let cancelled = false;
  const check = () => {
    if (cancelled) return;
    const now = clock.now();
    const n = activity();
    if (n !== seen) {
      seen = n;
      last = now;
    }
    if (now - last >= limitMs) expire();
    else handle = clock.setTimeout(check, Math.min(TICK_MS, limitMs));
  };
  handle = clock.setTimeout(check, Math.min(TICK_MS, limitMs));
  return {
    cancel: () => {
      cancelled = true;
      handle.cancel();
    },
  };
}
