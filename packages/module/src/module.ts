import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '@modemlab/at';
import { dialectOf } from './dialects/index.js';
import type { Dialect } from './dialects/types.js';
import { CommandRegistry } from './engine/registry.js';
import type { TerminalSession } from './engine/session.js';
import { Terminal } from './engine/terminal.js';
import { PROMPT_MAX_BYTES, URC_QUEUE_MAX, type TerminalHost } from './engine/terminal-host.js';
import { pipePair, type BytePipe } from './link/byte-pipe.js';
import { LinkStack, type LayerHost } from './link/link-stack.js';
import { StreamPipe } from './link/stream-pipe.js';
import { UartLine } from './link/uart-line.js';
import type { ModuleHost, UrcSource } from './module-host.js';
import { findModel } from './models/index.js';
import type { ModelTable } from './models/types.js';
import { NvmStore } from './nvm/store.js';
import { createServices, type ModuleServices, type NetworkOptions } from './services/index.js';
import type { GnssSetup } from './services/gnss.js';
import type { NetMode } from './services/net/net-policy.js';
import type { CloudEndpoint } from './services/security/cloud-link.js';

export interface ModuleOptions {
  model: string;
  /** This module's own NVM folder. */
  stateDir: string;
  /** Static host table consulted before the system resolver (NAME -> IP). */
  hosts?: Record<string, string>;
  /** Lab port forwards for the module's TCP connections and UDP datagrams ("ip:port" -> "ip:port"). */
  forwards?: Record<string, string>;
  /**
   * The lab network policy. `lab` (the default, so no test or embedding reaches past this
   * machine by accident): only loopback, the host table's addresses and the forwards'
   * targets; other names fail as unknown, other addresses as unreachable. `open`: anywhere.
   */
  net?: NetMode;
  clock?: Clock;
  network?: NetworkOptions;
  /** Where internal faults are reported; never to the AT interface. */
  log?: (message: string, detail?: unknown) => void;
  /** How long a port may take no output before its client is dropped (default PORT_STALL_MS, 30 s, module clock). */
  portStallMs?: number;
  /** The security service (u-blox IoT Security-as-a-Service) the module bootstraps with. */
  cloud?: CloudEndpoint;
  /** Where the lab puts the GNSS receiver and CellLocate: a position or a track to replay (default LAB_POSITION). */
  gnss?: GnssSetup;
  /**
   * Paces every attached port as a serial line at this power-on rate (bit/s, 8N1); +IPR
   * changes it after its OK. Absent: ports run at transport speed (the default).
   */
  baud?: number;
}

/**
 * One virtual module, the composition root: its product table, NVM, services and the AT
 * terminals attached to it, each on the link stack of its port. Services and NVM belong to
 * the module; each terminal keeps its own settings. Dialects see it as a ModuleHost, the
 * engine as a TerminalHost, services get their parts.
 */
export class VirtualModule implements ModuleHost {
  readonly model: ModelTable;
  /** The AT language the model names (`model.dialect`). */
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly nvm: NvmStore;
  readonly registry: CommandRegistry;
  readonly services: ModuleServices;
  readonly hosts: Map<string, string>;
  readonly forwards: Record<string, string>;
  /** The lab network policy's mode. */
  readonly net: NetMode;
  private readonly terminals = new Set<Terminal>();
  /**
   * Bytes that reached the module through attached streams: a test that moves a manual clock
   * waits until what it sent over a TCP socket or a PTY has arrived (guard times count from it).
   */
  received = 0;
  private readonly logger: (message: string, detail?: unknown) => void;
  private readonly portStallMs?: number;
  /** The power-on line rate when ports are paced (ModuleOptions.baud). */
  private readonly baud?: number;
  private readonly terminalHost: TerminalHost;
  /** The dialects' RAM state (ModuleHost.state), dropped at power-off. */
  private readonly dialectState = new Map<string, unknown>();

  private constructor(opts: ModuleOptions, model: ModelTable) {
    this.model = model;
    this.dialect = dialectOf(model.dialect);
    this.clock = opts.clock ?? systemClock;
    this.nvm = new NvmStore(opts.stateDir);
    this.hosts = new Map(Object.entries(opts.hosts ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.forwards = { ...opts.forwards };
    this.net = opts.net ?? 'lab';
    if (opts.portStallMs !== undefined) this.portStallMs = opts.portStallMs;
    if (opts.baud !== undefined) this.baud = opts.baud;
    this.logger = opts.log ?? ((m, d) => console.error(`modemlab: ${m}`, d ?? ''));
    const excluded = new Set((model.excludedCommands ?? []).map((c) => c.toUpperCase()));
    const dialect = this.dialect;
    this.registry = new CommandRegistry(dialect.commands.filter((c) => !excluded.has(c.name.toUpperCase())));
    this.terminalHost = {
      clock: this.clock,
      registry: this.registry,
      maxLineLength: model.limits.maxLineLength,
      limits: {
        inputBufferBytes: model.limits.inputBufferBytes,
        promptIdleMs: model.limits.promptIdleMs,
        promptMaxBytes: PROMPT_MAX_BYTES,
        urcQueueMax: URC_QUEUE_MAX,
      },
      sessionDefaults: dialect.sessionDefaults,
      errors: dialect.errors,
      errorText: (code) => dialect.errorText(code),
      promptText: (char) => dialect.promptText(char),
      log: (message, detail) => this.log(message, detail),
      handlerModule: this,
      commandGate: () => this.services.securityService.commandGate(),
    };
    this.services = createServices(
      { model, nvm: this.nvm, clock: this.clock, hosts: this.hosts, forwards: this.forwards, net: this.net, log: (m, d) => this.log(m, d), ...(opts.cloud ? { cloud: opts.cloud } : {}) },
      opts.network ?? {},
    );
    // First listener: the dialects' RAM state is gone before their own power-off handlers run.
    this.services.lifecycle.on('power-off', () => this.dialectState.clear());
    if (opts.gnss && 'track' in opts.gnss) this.services.gnss.setTrack(opts.gnss.track);
    else if (opts.gnss) this.services.gnss.setPosition(opts.gnss.position);
    dialect.wire(this);
    this.powerOn();
  }

  /** Services up; a paced module starts at its configured rate. */
  private powerOn(): void {
    this.services.powerOn();
    if (this.baud !== undefined) this.services.settings.ipr = this.baud;
  }

  static async create(opts: ModuleOptions): Promise<VirtualModule> {
    const model = findModel(opts.model);
    if (!model) throw new Error(`unknown model ${opts.model}`);
    return new VirtualModule(opts, model);
  }

  get modelId(): string {
    return this.model.id;
  }

  /** Told about every link stack opened (a trace tap), with the stack whose layer opened it. */
  private readonly stackWatchers = new Set<(stack: LinkStack, parent?: LinkStack) => void>();

  /**
   * Calls `watch` with every link stack opened from now on, before any byte crosses it;
   * `parent` is the stack whose layer opened this one (a CMUX channel's terminal). Returns
   * the function that stops watching.
   */
  onLinkStack(watch: (stack: LinkStack, parent?: LinkStack) => void): () => void {
    this.stackWatchers.add(watch);
    return () => this.stackWatchers.delete(watch);
  }

  /** What the layers of `stack` may ask of the module: a clock, a log, more terminals (CMUX channels). */
  private layerHostOf(stack: () => LinkStack): LayerHost {
    const module = this;
    return {
      get clock() {
        return module.clock;
      },
      openTerminal: (pipe) => void module.openTerminal(pipe, stack()),
      log: (message, detail) => module.log(message, detail),
      ...(module.portStallMs !== undefined ? { portStallMs: module.portStallMs } : {}),
    };
  }

  /**
   * A new AT terminal on its own link stack with `port` at the bottom: a pipe (a CMUX
   * channel), or a function that gets the terminal's output (tests feed `input()`). The
   * terminal closes when the pipe closes.
   */
  openTerminal(port: BytePipe | ((bytes: Buffer) => void), parent?: LinkStack): Terminal {
    let bottom: BytePipe;
    if (typeof port === 'function') {
      const [hostEnd, moduleEnd] = pipePair('terminal');
      hostEnd.attach({ data: port, close: () => {} });
      bottom = moduleEnd;
    } else bottom = port;
    const stack: LinkStack = new LinkStack(bottom, this.layerHostOf(() => stack), parent);
    for (const watch of this.stackWatchers) watch(stack, parent);
    const t = new Terminal(this.terminalHost, stack);
    this.terminals.add(t);
    stack.once('closed', () => this.closeTerminal(t));
    return t;
  }

  closeTerminal(t: Terminal): void {
    t.close();
    if (!this.terminals.delete(t)) return;
    t.link.close();
    this.dialect.terminalClosed?.(this, t.session);
  }

  /** Makes `stream` this module's UART (a link stack with a terminal on top) until the returned detach() or the stream ends. */
  attach(stream: Duplex, name = 'uart'): () => void {
    // Counted before the stack sees the bytes: a test waits on it before moving a manual clock.
    stream.on('data', (chunk: Buffer | string) => (this.received += chunk.length));
    const port = new StreamPipe(stream, name);
    const terminal = this.openTerminal(this.baud === undefined ? port : this.pacedLine(port));
    return () => this.closeTerminal(terminal);
  }

  /** `port` as a serial line at the module's +IPR rate (0, autobaud: the configured rate), RTS/CTS by AT&K3. */
  private pacedLine(port: StreamPipe): UartLine {
    const settings = this.services.settings;
    const baud = this.baud!;
    const power = this.services.powerSaving;
    const line = { baud: () => settings.ipr || baud, rtsCts: () => settings.flowControl === 3, idleSleepMs: () => power.uartIdleSleepMs() };
    return new UartLine(port, this.clock, line, (m) => this.log(m));
  }

  /** An unsolicited result code for every terminal, or for the one whose session is `to`; a function renders it per terminal settings. */
  urc(source: UrcSource, to?: TerminalSession): void {
    for (const t of this.terminals) if (to === undefined || t.session === to) t.urc(source);
  }

  state<T>(key: string, init: () => T): T {
    if (!this.dialectState.has(key)) this.dialectState.set(key, init());
    return this.dialectState.get(key) as T;
  }

  /** +CFUN=15/16: RAM state is lost, NVM stays, terminals fall silent while it boots. */
  reboot(): void {
    this.services.powerOff();
    for (const t of this.terminals) t.powerCycle(this.model.timing.rebootMs);
    this.clock.setTimeout(() => this.powerOn(), this.model.timing.rebootMs);
  }

  log(message: string, detail?: unknown): void {
    this.logger(message, detail);
  }

  async close(): Promise<void> {
    for (const t of this.terminals) t.close();
    this.terminals.clear();
    await this.services.close();
  }
}

export async function createModule(opts: ModuleOptions): Promise<VirtualModule> {
  return VirtualModule.create(opts);
}

/** The default NVM folder of module `index` of a model under a state root. */
export function moduleStateDir(root: string, model: string, index: number): string {
  return join(root, `${model}-${index}`);
}
