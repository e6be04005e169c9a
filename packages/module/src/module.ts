import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { systemClock, type Clock } from '@modemlab/at';
import { dialectOf } from './dialects/index.js';
import type { Dialect } from './dialects/types.js';
import { CommandRegistry } from './engine/registry.js';
import type { TerminalSession } from './engine/session.js';
import { Terminal } from './engine/terminal.js';
import { findModel } from './models/index.js';
import type { ModelTable } from './models/types.js';
import { NvmStore } from './nvm/store.js';
import { createServices, type ModuleServices, type NetworkOptions } from './services/index.js';

export interface ModuleOptions {
  model: string;
  /** This module's own NVM folder. */
  stateDir: string;
  /** Static host table consulted before the system resolver (NAME -> IP). */
  hosts?: Record<string, string>;
  /** Lab port forwards for the module's TCP connections ("ip:port" -> "ip:port"). */
  forwards?: Record<string, string>;
  clock?: Clock;
  network?: NetworkOptions;
  /** Where internal faults are reported; never to the AT interface. */
  log?: (message: string, detail?: unknown) => void;
}

type UrcSource = string | ((session: TerminalSession) => string | undefined);

/**
 * One virtual module: its product table, NVM, services and the AT terminals attached to
 * it. Services and NVM belong to the module; each terminal keeps its own settings.
 */
export class VirtualModule {
  readonly model: ModelTable;
  /** The AT language the model names (`model.dialect`). */
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly nvm: NvmStore;
  readonly registry: CommandRegistry;
  readonly services: ModuleServices;
  readonly hosts: Map<string, string>;
  readonly forwards: Record<string, string>;
  private readonly terminals = new Set<Terminal>();
  /**
   * Bytes that reached the module through attached streams: a test that moves a manual clock
   * waits until what it sent over a TCP socket or a PTY has arrived (guard times count from it).
   */
  received = 0;
  private readonly logger: (message: string, detail?: unknown) => void;

  private constructor(opts: ModuleOptions, model: ModelTable) {
    this.model = model;
    this.dialect = dialectOf(model.dialect);
    this.clock = opts.clock ?? systemClock;
    this.nvm = new NvmStore(opts.stateDir);
    this.hosts = new Map(Object.entries(opts.hosts ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    this.forwards = { ...opts.forwards };
    this.logger = opts.log ?? ((m, d) => console.error(`modemlab: ${m}`, d ?? ''));
    const excluded = new Set((model.excludedCommands ?? []).map((c) => c.toUpperCase()));
    this.registry = new CommandRegistry(this.dialect.commands.filter((c) => !excluded.has(c.name.toUpperCase())));
    this.services = createServices(this, opts.network ?? {});
    this.dialect.wire(this);
    this.services.powerOn();
  }

  static async create(opts: ModuleOptions): Promise<VirtualModule> {
    const model = findModel(opts.model);
    if (!model) throw new Error(`unknown model ${opts.model}`);
    return new VirtualModule(opts, model);
  }

  get modelId(): string {
    return this.model.id;
  }

  /** A new AT terminal writing to `output`. */
  openTerminal(output: (bytes: Buffer) => void): Terminal {
    const t = new Terminal(this, output);
    this.terminals.add(t);
    return t;
  }

  closeTerminal(t: Terminal): void {
    t.close();
    if (this.terminals.delete(t)) this.dialect.terminalClosed?.(this, t.session);
  }

  /** Makes `stream` this module's UART until the returned detach() or the stream ends. */
  attach(stream: Duplex): () => void {
    const terminal = this.openTerminal((bytes) => {
      if (!stream.destroyed && stream.writable) stream.write(bytes);
    });
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      this.received += bytes.length;
      terminal.input(bytes);
    };
    let detached = false;
    const detach = () => {
      if (detached) return;
      detached = true;
      stream.off('data', onData);
      stream.off('close', detach);
      stream.off('end', detach);
      stream.off('error', detach);
      this.closeTerminal(terminal);
    };
    stream.on('data', onData);
    stream.on('close', detach);
    stream.on('end', detach);
    stream.on('error', detach);
    return detach;
  }

  /** An unsolicited result code for every terminal; a function renders it per terminal settings. */
  urc(source: UrcSource): void {
    for (const t of this.terminals) t.urc(source);
  }

  /** +CFUN=15/16: RAM state is lost, NVM stays, terminals fall silent while it boots. */
  reboot(): void {
    this.services.powerOff();
    for (const t of this.terminals) t.powerCycle(this.model.timing.rebootMs);
    this.clock.setTimeout(() => this.services.powerOn(), this.model.timing.rebootMs);
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
