/**
 * The AtClient's trace hook: every chunk the client writes to the module and every chunk it
 * receives, as the same records the virtual module's trace tap writes (packages/at/src/trace.ts),
 * so a host application can log its AT traffic and `modemlab trace FILE` can read it.
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
}

/** The `layer` of the SDK's records: the bytes as the AtClient wrote or received them. */
export const AT_CLIENT_LAYER = 'at-client';

export class AtTracer {
  private readonly t0 = performance.now();
  private readonly port: string;
  private readonly sink: AtTraceSink;

  constructor(opts: AtTraceSink | AtTraceOptions) {
    const full = typeof opts === 'object' && 'sink' in opts ? opts : { sink: opts };
    this.sink = full.sink;
    this.port = full.port ?? 'at-client';
    if (typeof this.sink !== 'function') {
      this.sink.write(encodeTraceLine({ kind: 'start', start: new Date().toISOString() }) + '\n');
    }
  }

  record(dir: TraceDirection, data: Buffer | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    if (bytes.length === 0) return;
    const chunk: TraceChunk = { kind: 'chunk', time: performance.now() - this.t0, dir, port: this.port, layer: AT_CLIENT_LAYER, bytes };
    try {
      if (typeof this.sink === 'function') this.sink(chunk);
      else this.sink.write(encodeTraceLine(chunk) + '\n');
    } catch {
      // A failing trace sink must not disturb the AT traffic it watches.
    }
  }
}
