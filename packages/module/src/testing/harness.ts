import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@modemlab/at';
import { VirtualModule, type ModuleOptions } from '../module.js';
import type { Terminal } from '../engine/terminal.js';

/**
 * A module on a manual clock with one terminal whose output is collected: the fixture of
 * engine and handler tests. Handlers may be async, so reads wait for a settled output.
 */
export class ModuleHarness {
  output = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(
    readonly module: VirtualModule,
    readonly clock: ManualClock,
    readonly terminal: Terminal,
    private readonly stateDir: string,
    private readonly ownsState: boolean,
  ) {}

  static async create(opts: Partial<ModuleOptions> = {}): Promise<ModuleHarness> {
    const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock();
    const ownsState = !opts.stateDir;
    const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'modemlab-'));
    const module = await VirtualModule.create({ model: 'sara-r5', ...opts, stateDir, clock, log: opts.log ?? (() => {}) });
    let h: ModuleHarness | undefined;
    const terminal = module.openTerminal((bytes) => h!.receive(bytes));
    h = new ModuleHarness(module, clock, terminal, stateDir, ownsState);
    return h;
  }

  private receive(bytes: Buffer): void {
    this.output = Buffer.concat([this.output, bytes]);
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Sends bytes and returns what the module wrote once it settles. */
  async send(input: string | Buffer): Promise<string> {
    this.take();
    this.terminal.input(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
    await settle();
    return this.take();
  }

  /** Everything written since the last take, as latin1 text. */
  take(): string {
    const s = this.output.toString('latin1');
    this.output = Buffer.alloc(0);
    return s;
  }

  /** Advances the manual clock and lets promises settle. */
  async advance(ms: number): Promise<string> {
    this.clock.advance(ms);
    await settle();
    return this.take();
  }

  /** Waits until the output contains `text` (real I/O such as DNS), up to timeoutMs. */
  async waitFor(text: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.toString('latin1').includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(this.output.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.take();
  }

  async close(): Promise<void> {
    await this.module.close();
    if (this.ownsState) rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** Lets queued microtasks and immediate callbacks run (async handlers finishing). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
