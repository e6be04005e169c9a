/**
 * The lab API of `modemlab serve --console` (packages/cli/src/console/server.ts), for tests
 * and tools: the running modules, a module's state, the network controls, the live trace.
 * HTTP through fetch; the trace through a WebSocket (the platform's, else the `ws` package).
 */

/** One line of the live trace: an AT event (transcript marks) or a raw chunk (hex). */
export type LabTraceEntry =
  | { kind: 'event'; seq: number; time: number; where: string; mark: '>' | '<' | '!' | '>>' | '<<'; text: string }
  | { kind: 'chunk'; seq: number; time: number; where: string; layer: string; dir: 'to-module' | 'from-module'; hex: string };

/** The controls a module takes (see @modemlab/module lab-control.ts); each takes effect at once. */
export interface LabControls {
  coverage?: boolean;
  /** <AcT>: 0 GSM, 3 GSM/EGPRS, 7 LTE, 8 LTE Cat-M1, 9 LTE Cat-NB1. */
  rat?: number;
  signal?: { rssi?: number; rsrp?: number; rsrq?: number; sinr?: number };
  apns?: string[];
  clockOffsetMs?: number;
  /** Latency/loss profile, e.g. 'ltem:edge' (where the module has a radio link). */
  radio?: unknown;
}

export class LabApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${status}: ${message}`);
    this.name = 'LabApiError';
  }
}

/** The part of a WebSocket the client uses (the platform's and the `ws` package's alike). */
interface LabSocket {
  onopen: ((e: unknown) => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  onclose: ((e: unknown) => void) | null;
  close(): void;
}
type LabSocketClass = new (url: string) => LabSocket;

export interface LabTraceStream {
  /** Resolves once the history arrived (every later entry is live). */
  readonly ready: Promise<void>;
  close(): void;
}

export class LabClient {
  private readonly base: string;
  private readonly token: string | undefined;

  /** `base`: the console's address as `serve` prints it, e.g. http://127.0.0.1:8080. */
  constructor(base: string, opts: { token?: string } = {}) {
    this.base = base.replace(/\/+$/, '');
    this.token = opts.token;
  }

  modules(): Promise<Array<{ name: string; model: string }>> {
    return this.request('GET', '/api/modules') as Promise<Array<{ name: string; model: string }>>;
  }

  /** The module's state: registration, signal, PDP contexts, sockets and TLS, certificates, files, profiles. */
  state(name: string): Promise<unknown> {
    return this.request('GET', `/api/modules/${encodeURIComponent(name)}/state`);
  }

  /** Applies controls; a refused set throws LabApiError (400 bad control, 501 not here) and changes nothing. */
  async control(name: string, controls: LabControls): Promise<void> {
    await this.request('POST', `/api/modules/${encodeURIComponent(name)}/controls`, controls);
  }

  /** The live trace: the kept history first, then every new entry, each to `onEntry`. */
  trace(name: string, onEntry: (e: LabTraceEntry) => void): LabTraceStream {
    let socket: LabSocket | undefined;
    let closed = false;
    const url = `${this.base.replace(/^http/, 'ws')}/api/modules/${encodeURIComponent(name)}/trace${this.query()}`;
    const ready = socketClass().then(
      (Socket) =>
        new Promise<void>((resolve, reject) => {
          if (closed) return resolve();
          const ws = new Socket(url);
          socket = ws;
          ws.onerror = () => reject(new LabApiError(0, `trace of ${name}: connection failed`));
          ws.onmessage = (m) => {
            const msg = JSON.parse(String(m.data)) as { history?: LabTraceEntry[] } & LabTraceEntry;
            if (msg.history) {
              msg.history.forEach(onEntry);
              resolve();
            } else onEntry(msg);
          };
        }),
    );
    return {
      ready,
      close: () => {
        closed = true;
        socket?.close();
      },
    };
  }

  private query(): string {
    return this.token === undefined ? '' : `?token=${encodeURIComponent(this.token)}`;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new LabApiError(res.status, text === '' ? res.statusText : ((JSON.parse(text) as { error?: string }).error ?? text));
    return text === '' ? undefined : JSON.parse(text);
  }
}

/** The platform's WebSocket (Node >= 22, browsers), else the `ws` package's. */
async function socketClass(): Promise<LabSocketClass> {
  const platform = (globalThis as { WebSocket?: LabSocketClass }).WebSocket;
  if (platform) return platform;
  const name = 'ws';
  const mod = (await import(name)) as { WebSocket: LabSocketClass };
  return mod.WebSocket;
}
