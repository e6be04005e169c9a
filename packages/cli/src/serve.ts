import fs from 'node:fs/promises';
import path from 'node:path';
import { parseRadioScript, parseRadioSpec, servePty, serveTcp, TraceTap } from '@modemlab/module';
import type { Logger } from 'pino';
import { loggedAttach } from './client-log.js';
import { TraceWriter } from './trace-writer.js';
import { LiveTrace } from './console/live-trace.js';
import type { ConsoleModule } from './console/server.js';
import { CliError, type CliModule, type ModuleApi, type NetworkOptions } from './module-api.js';
import { exposureRefusal, exposureWarning, isLoopbackHost } from './exposure.js';
import { formatHostPort, ptyPathFor, tcpPortFor, type HostPort } from './parse.js';
import { factoryKeyOf, registerRots, stateRots, type CloudLinkOptions } from './rot.js';
import { loadGnss } from './lab-gnss.js';
import { startLabControl } from './lab-control.js';

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
  /** The simulated operator network (operator, signal, coverage...; `apns` above wins over its apns). */
  network?: NetworkOptions;
  /** The security service the modules bootstrap with; with a factory key their roots of trust are registered there first. */
  cloud?: CloudLinkOptions;
  /** Paces each port as a serial line at this rate (bit/s, 8N1); absent: transport speed. */
  baud?: number;
  /** Radio profile of every module ('ltem:edge'; `--radio`), and a radio script file (`--radio-script`, JSON steps). */
  radio?: string;
  radioScript?: string;
  /** Allows a --tcp host beyond loopback (with a warning); without it such a bind is refused. */
  expose?: boolean;
  /** GNSS position `LAT,LON[,ALT]` or a GPX/NMEA track file, for every module. */
  gnss?: string;
  /** Levels the lab drives on GPIO pads from the start (null: floating). */
  gpio?: Record<number, 0 | 1 | null>;
  /** The lab console (web page and API) on HOST:PORT; a token is required beyond loopback. */
  console?: { host: string; port: number; token?: string };
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
  /** The operator's log (attach/detach/busy/dropped, the module's own reports); none when absent. */
  log?: Logger,
): Promise<Served> {
  const models = api.listModels();
  if (!models.includes(opts.model)) {
    throw new CliError(`modemlab: unknown model '${opts.model}'; available models: ${models.join(', ')}`, 2);
  }
  if (opts.console && !isLoopbackHost(opts.console.host) && !opts.console.token) {
    throw new CliError(`modemlab: --console on ${opts.console.host} needs --console-token: whoever reaches it can drive the modules`, 2);
  }
  if (!opts.tcp && !opts.pty) throw new CliError('modemlab: nothing to serve: --tcp none and no --pty', 2);
  const radio = await radioOptions(opts);
  if (opts.tcp && !isLoopbackHost(opts.tcp.host)) {
    if (!opts.expose) throw new CliError(exposureRefusal(opts.tcp), 2);
    warn(exposureWarning(opts.tcp));
  }

  const modules: CliModule[] = [];
  const listeners: Array<{ close(): Promise<void> }> = [];
  const taps: TraceTap[] = [];
  const gnss = opts.gnss === undefined ? undefined : await loadGnss(opts.gnss);
  const trace = opts.trace === undefined ? undefined : await TraceWriter.open(opts.trace);
  const consoleModules: ConsoleModule[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(listeners.splice(0).reverse().map((l) => l.close()));
    const results = await Promise.allSettled(modules.splice(0).map((m) => m.close()));
    for (const tap of taps.splice(0)) tap.stop();
    await trace?.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    if (opts.cloud) {
      // Before the modules power up: their first connectivity finds their roots of trust known.
      const rots = await stateRots(opts.state, opts.model, opts.count);
      const key = factoryKeyOf(opts.cloud.factoryKey);
      if (key) for (const line of await registerRots(rots, { url: opts.cloud.url, ca: opts.cloud.ca, ...key })) print(line);
      else for (const r of rots) warn(`modemlab: root of trust ${r.uid} not registered (no factory key): modemlab rot register, or modemlab rot export + modemlab cloud factory add`);
    }
    for (let i = 0; i < opts.count; i++) {
      const name = `${opts.model}-${i}`;
      const stateDir = path.resolve(opts.state, name);
      await fs.mkdir(stateDir, { recursive: true });
      const module = await api.createModule({
        model: opts.model,
        stateDir,
        hosts: opts.hosts,
        ...(opts.forwards ? { forwards: opts.forwards } : {}),
        ...(opts.apns ? { network: { apns: opts.apns } } : {}),
        net: opts.net ?? 'lab',
        ...(opts.network || radio ? { network: { ...opts.network, ...(opts.apns ? { apns: opts.apns } : {}), ...radio } } : {}),
        ...(log ? { log: moduleLog(log, name) } : {}),
        ...(opts.cloud ? { cloud: { url: opts.cloud.url, ca: opts.cloud.ca } } : {}),
        ...(gnss ? { gnss } : {}),
        ...(opts.baud !== undefined ? { baud: opts.baud } : {}),
      });
      modules.push(module);
      for (const [pin, level] of Object.entries(opts.gpio ?? {})) {
        try {
          module.services?.gpio.drive(Number(pin), level ?? undefined);
        } catch {
          throw new CliError(`modemlab: --gpio: ${opts.model} has no GPIO pad ${pin}`, 2);
        }
      }
      const uart = log ? loggedAttach(module, log, name) : module;
      if (trace) {
        if (!module.onLinkStack) throw new CliError('modemlab: this module cannot be traced', 2);
        // Several modules share one file: their ports carry the module's name.
        const portPrefix = opts.count > 1 ? `${opts.model}-${i}:` : '';
        taps.push(new TraceTap({ sink: (chunk) => trace.write(chunk), portPrefix }).watch({ onLinkStack: module.onLinkStack.bind(module) }));
      }
      if (opts.console) consoleModules.push(consoleModuleOf(api, module, name, taps));
      if (opts.tcp) {
        const l = await serveTcp(uart, {
          host: opts.tcp.host,
          port: tcpPortFor(opts.tcp.port, i),
          ...(log ? { onRefused: (client: string) => log.warn({ event: 'busy', module: name, client: `tcp:${client}` }, `${name}: refused tcp:${client}, another client is attached`) } : {}),
        });
        listeners.push(l);
        print(`modemlab: ${opts.model} listening on tcp://${formatHostPort(l.address)}`);
      }
      if (opts.pty) {
        const ptyPath = ptyPathFor(opts.pty, i, opts.count);
        const l = await servePty(uart, { path: ptyPath });
        listeners.push(l);
        print(`modemlab: ${opts.model} listening on pty ${ptyPath}`);
      }
    }
    try {
      // The lab side of the modules for other modemlab commands (gpio, gnss): lab-control.ts.
      listeners.push(await startLabControl(opts.state, modules));
    } catch (err) {
      warn(`${(err as Error).message}; modemlab gpio/gnss cannot reach this serve`);
    }
    if (opts.console) {
      // Loaded only when asked for: Fastify stays out of every other start of the CLI.
      const { startConsole } = await import('./console/server.js');
      const c = await startConsole({ ...opts.console, modules: consoleModules });
      listeners.push(c);
      print(`modemlab: lab console on http://${formatHostPort(c.address)}/`);
    }
  } catch (err) {
    await closeAll().catch(() => {});
    throw err;
  }

  let closing: Promise<void> | undefined;
  return { close: () => (closing ??= closeAll()) };
}

/** A module as the lab console sees it: its own live trace (a tap of its own), its state and controls. */
function consoleModuleOf(api: ModuleApi, module: CliModule, name: string, taps: TraceTap[]): ConsoleModule {
  const lab = api.lab;
  if (!module.onLinkStack || !lab) throw new CliError('modemlab: this module cannot be shown on the console', 2);
  const trace = new LiveTrace();
  taps.push(new TraceTap({ sink: (chunk) => trace.push(chunk) }).watch({ onLinkStack: module.onLinkStack.bind(module) }));
  return {
    name,
    model: module.modelId,
    trace,
    attach: (stream, portName) => module.attach(stream, portName),
    snapshot: () => lab.snapshot(module),
    control: (input) => {
      lab.control(module, input);
      // Shown in the trace before the URCs it causes reach the page.
      trace.note(`lab ${Object.entries(input as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
    },
  };
}

/** The module's own reports (lab refusals, failed handshakes, internal faults) as warnings of the operator's log. */
function moduleLog(log: Logger, name: string): (message: string, detail?: unknown) => void {
  return (message, detail) => {
    const fields = detail !== null && typeof detail === 'object' && !(detail instanceof Error) ? (detail as Record<string, unknown>) : detail === undefined ? {} : { detail: String(detail) };
    log.warn({ module: name, ...fields }, `${name}: ${message}`);
  };
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

/** --radio and --radio-script as network options; a bad profile or script is a usage error (exit 2). */
async function radioOptions(opts: ServeOptions): Promise<NetworkOptions | undefined> {
  if (opts.radio === undefined && opts.radioScript === undefined) return undefined;
  const out: NetworkOptions = {};
  if (opts.radio !== undefined) {
    if (opts.radio.trim().toLowerCase() !== 'off' && !parseRadioSpec(opts.radio)) {
      throw new CliError(`modemlab: --radio '${opts.radio}': expected RAT[:CONDITION], RAT ltem|nbiot|gsm, CONDITION good|edge|deep-indoor, or off`, 2);
    }
    out.radio = opts.radio;
  }
  if (opts.radioScript !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(opts.radioScript, 'utf8');
    } catch (err) {
      throw new CliError(`modemlab: --radio-script ${opts.radioScript}: ${(err as Error).message}`, 2);
    }
    try {
      out.radioScript = parseRadioScript(text);
    } catch (err) {
      throw new CliError(`modemlab: --radio-script ${opts.radioScript}: ${(err as Error).message}`, 2);
    }
  }
  return out;
}

/**
 * Starts something long-running (serve, lab) and closes it at SIGINT/SIGTERM, then the log.
 * The signal handlers go in before `start`: a signal during start-up still closes cleanly.
 */
export async function runUntilSignal(
  start: () => Promise<{ close(): Promise<void> }>,
  log: { close(): Promise<void> },
  io: { err: (text: string) => void; exitCode: number },
): Promise<void> {
  const signal = waitForSignal();
  let running;
  try {
    running = await start();
  } catch (err) {
    await log.close();
    throw err;
  }
  const sig = await signal;
  io.err(`modemlab: ${sig}, closing\n`);
  await running.close();
  await log.close();
  io.exitCode = 0;
}
