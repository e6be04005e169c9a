import fs from 'node:fs/promises';
import path from 'node:path';
import { servePty, serveTcp } from '../../module/src/transports/index.js';
import { TraceTap } from '../../module/src/link/trace-tap.js';
import { TraceWriter } from './trace-writer.js';
import { CliError, type CliModule, type ModuleApi } from './module-api.js';
import { exposureRefusal, exposureWarning, isLoopbackHost } from './exposure.js';
import { formatHostPort, ptyPathFor, tcpPortFor, type HostPort } from './parse.js';

export interface ServeOptions {
  model: string;
  /** null = no TCP listener (`--tcp none`). */
  tcp: HostPort | null;
  /** Base path of the pseudo-terminal(s); undefined = no pty. */
  pty?: string;
  /** State root; module i of model M keeps its NVM in <state>/<M>-<i>. */
  state: string;
  hosts: Record<string, string>;
  /** Lab port forwards ("ip:port" -> "ip:port"). */
  forwards?: Record<string, string>;
  /** APNs the simulated operator serves (default: the module's DEFAULT_APNS). */
  apns?: string[];
  /** The lab network policy (default lab: loopback and the --hosts/--forward targets only). */
  net?: 'lab' | 'open';
  count: number;
  /** Append a trace of every byte on every link (JSON lines) to this file. */
  trace?: string;
  /** Allows a --tcp host beyond loopback (with a warning); without it such a bind is refused. */
  expose?: boolean;
}

export interface Served {
  /** Closes every listener, then every module (flushing NVM). */
  close(): Promise<void>;
}

/**
 * Starts `count` modules with their listeners and reports each listener with `print`,
 * one line each: `modemlab: <model> listening on tcp://HOST:PORT` / `... on pty PATH`.
 */
export async function startServe(
  api: ModuleApi,
  opts: ServeOptions,
  print: (line: string) => void,
  /** Warnings (stderr in the CLI); default `print`. */
  warn: (line: string) => void = print,
): Promise<Served> {
  const models = api.listModels();
  if (!models.includes(opts.model)) {
    throw new CliError(`modemlab: unknown model '${opts.model}'; available models: ${models.join(', ')}`, 2);
  }
  if (!opts.tcp && !opts.pty) throw new CliError('modemlab: nothing to serve: --tcp none and no --pty', 2);
  if (opts.tcp && !isLoopbackHost(opts.tcp.host)) {
    if (!opts.expose) throw new CliError(exposureRefusal(opts.tcp), 2);
    warn(exposureWarning(opts.tcp));
  }

  const modules: CliModule[] = [];
  const listeners: Array<{ close(): Promise<void> }> = [];
  const taps: TraceTap[] = [];
  const trace = opts.trace === undefined ? undefined : await TraceWriter.open(opts.trace);
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(listeners.splice(0).reverse().map((l) => l.close()));
    const results = await Promise.allSettled(modules.splice(0).map((m) => m.close()));
    for (const tap of taps.splice(0)) tap.stop();
    await trace?.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    for (let i = 0; i < opts.count; i++) {
      const stateDir = path.resolve(opts.state, `${opts.model}-${i}`);
      await fs.mkdir(stateDir, { recursive: true });
      const module = await api.createModule({
        model: opts.model,
        stateDir,
        hosts: opts.hosts,
        ...(opts.forwards ? { forwards: opts.forwards } : {}),
        ...(opts.apns ? { network: { apns: opts.apns } } : {}),
        net: opts.net ?? 'lab',
      });
      modules.push(module);
      if (trace) {
        if (!module.onLinkStack) throw new CliError('modemlab: this module cannot be traced', 2);
        // Several modules share one file: their ports carry the module's name.
        const portPrefix = opts.count > 1 ? `${opts.model}-${i}:` : '';
        taps.push(new TraceTap({ sink: (chunk) => trace.write(chunk), portPrefix }).watch({ onLinkStack: module.onLinkStack.bind(module) }));
      }
      if (opts.tcp) {
        const l = await serveTcp(module, { host: opts.tcp.host, port: tcpPortFor(opts.tcp.port, i) });
        listeners.push(l);
        print(`modemlab: ${opts.model} listening on tcp://${formatHostPort(l.address)}`);
      }
      if (opts.pty) {
        const ptyPath = ptyPathFor(opts.pty, i, opts.count);
        const l = await servePty(module, { path: ptyPath });
        listeners.push(l);
        print(`modemlab: ${opts.model} listening on pty ${ptyPath}`);
      }
    }
  } catch (err) {
    await closeAll().catch(() => {});
    throw err;
  }

  let closing: Promise<void> | undefined;
  return { close: () => (closing ??= closeAll()) };
}

/** Resolves with the first of SIGINT/SIGTERM. */
export function waitForSignal(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = signals.map((sig) => {
      const h = (): void => {
        signals.forEach((s, i) => process.off(s, handlers[i]!));
        resolve(sig);
      };
      process.on(sig, h);
      return h;
    });
  });
}
