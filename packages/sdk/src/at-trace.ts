/**
 * The AtClient's trace hook: every chunk the client writes to the module and every chunk it
 * receives, as the same records the virtual module's trace tap writes (packages/at/src/trace.ts),
 * so a host application can log its AT traffic and `modemlab trace` can read it.
 */
import { performance } from 'node:perf_hooks';
import { encodeTraceLine, type TraceChunk, type TraceDirection } from '@modemlab/at';

/**
 * Where the records go: a function gets each record; an object with `write` (a Writable,
 * e.g. fs.createWriteStream(path, { flags: 'a' })) gets a start line, then one JSON line
 * per chunk. The client never ends or closes it: the application owns it.
 */
export type AtTraceSink = ((chunk: TraceChunk) => void) | { write(line: string): unknown };

export interface AtTraceOptions {
  sink: AtTraceSink;
  /** The `port` of the records. Default `at-client`. */
  port?: string;
  /** The `channel` of the records: the CMUX DLCI the client speaks on, if any. */
  channel?: number;
}

/** The `layer` of the SDK's records: the bytes as the AtClient wrote or received them. */
export const AT_CLIENT_LAYER = 'at-client';

/**
 * One time origin per sink: clients sharing a sink (the channels of one multiplexer) share
 * one session, with one start line and comparable times.
 */
const origins = new WeakMap<object, number>();

/** The trace options of a client on CMUX channel `dlci`, sharing `trace`'s sink and session. */
export function channelTrace(trace: AtTraceSink | AtTraceOptions, dlci: number): AtTraceOptions {
  const full = normalise(trace);
  return { ...full, channel: dlci };
}

function normalise(opts: AtTraceSink | AtTraceOptions): AtTraceOptions {
  return typeof opts === 'object' && 'sink' in opts ? opts : { sink: opts };
}

export class AtTracer {
  private readonly t0: number;
  private readonly opts: AtTraceOptions;

  constructor(trace: AtTraceSink | AtTraceOptions) {
    this.opts = normalise(trace);
    const sink = this.opts.sink;
    let t0 = origins.get(sink);
    if (t0 === undefined) {
      t0 = performance.now();
      origins.set(sink, t0);
      if (typeof sink !== 'function') sink.write(encodeTraceLine({ kind: 'start', start: new Date().toISOString() }) + '\n');
    }
    this.t0 = t0;
  }

  record(dir: TraceDirection, data: Buffer | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    if (bytes.length === 0) return;
    const { sink, port = 'at-client', channel } = this.opts;
    const chunk: TraceChunk = {
      kind: 'chunk',
      time: performance.now() - this.t0,
      dir,
      port,
      ...(channel === undefined ? {} : { channel }),
      layer: AT_CLIENT_LAYER,
      bytes,
    };
    try {
      if (typeof sink === 'function') sink(chunk);
      else sink.write(encodeTraceLine(chunk) + '\n');
    } catch {
      // A failing trace sink must not disturb the AT traffic it watches.
    }
  }
}
