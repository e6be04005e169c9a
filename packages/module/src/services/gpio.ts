import { EventEmitter } from 'node:events';
import type { GpioTable } from '../models/gpio-table.js';
import type { NvmStore } from '../nvm/store.js';

export const GPIO_OUTPUT = 0;
export const GPIO_INPUT = 1;

/** Input pull of a pad in input mode: none, up, down. */
export type GpioPull = 0 | 1 | 2;

export interface GpioPin {
  id: number;
  mode: number;
  /** The level the module drives (output mode). */
  output: 0 | 1;
  pull: GpioPull;
}

/** Why a GPIO request was refused: a pad the product lacks, a mode or level it does not take, a write to a pad that is not an output. */
export class GpioError extends Error {
  constructor(readonly kind: 'unknown-pin' | 'bad-value' | 'not-output') {
    super(kind);
  }
}

export interface GpioEvents {
  /** The module drives a new level on an output pad (the lab sees it: CLI, SDK, tests). */
  output: [{ id: number; level: 0 | 1 }];
}

interface GpioNvm {
  pins: Record<string, { mode: number; output: 0 | 1; pull: GpioPull }>;
}

/**
 * Virtual GPIO pads. The host configures them (+UGPIOC, kept in NVM as on the module),
 * drives outputs and reads levels; the lab drives what the outside world puts on an input
 * (`drive`) and sees what the module outputs (`level`, the 'output' event). An input nobody
 * drives reads its pull: 1 with a pull-up, else 0.
 */
export class GpioPins extends EventEmitter<GpioEvents> {
  /** Levels the lab puts on pads from outside (RAM: the outside world, not the module). */
  private readonly external = new Map<number, 0 | 1>();

  constructor(
    private readonly nvm: NvmStore,
    readonly table: GpioTable | undefined,
  ) {
    super();
  }

  get available(): boolean {
    return this.table !== undefined;
  }

  /** Every pad with its function, in the product's order. */
  list(): GpioPin[] {
    return (this.table?.pins ?? []).map((id) => this.pin(id));
  }

  pin(id: number): GpioPin {
    this.check(id);
    const saved = this.stored().pins[String(id)];
    return { id, mode: saved?.mode ?? this.table!.defaultMode, output: saved?.output ?? 0, pull: saved?.pull ?? 0 };
  }

  /** +UGPIOC: the pad's function; `value` is the initial output level (output) or the pull (input). */
  configure(id: number, mode: number, value?: number): void {
    this.check(id);
    if (!this.table!.modes.includes(mode)) throw new GpioError('bad-value');
    const before = this.pin(id);
    let output = before.output;
    let pull = before.pull;
    if (mode === GPIO_OUTPUT) {
      if (value !== undefined && value !== 0 && value !== 1) throw new GpioError('bad-value');
      output = (value ?? 0) as 0 | 1;
    } else if (mode === GPIO_INPUT) {
      if (value !== undefined && value !== 0 && value !== 1 && value !== 2) throw new GpioError('bad-value');
      pull = (value ?? 0) as GpioPull;
    }
    this.save(id, { mode, output, pull });
    if (mode === GPIO_OUTPUT && (before.mode !== GPIO_OUTPUT || before.output !== output)) this.emit('output', { id, level: output });
  }

  /** +UGPIOW: the level of an output pad. */
  write(id: number, level: number): void {
    const p = this.pin(id);
    if (level !== 0 && level !== 1) throw new GpioError('bad-value');
    if (p.mode !== GPIO_OUTPUT) throw new GpioError('not-output');
    if (p.output === level) return;
    this.save(id, { mode: p.mode, output: level, pull: p.pull });
    this.emit('output', { id, level });
  }

  /** +UGPIOR: an output reads what it drives, an input what the lab drives (else its pull), anything else 0. */
  level(id: number): 0 | 1 {
    const p = this.pin(id);
    if (p.mode === GPIO_OUTPUT) return p.output;
    if (p.mode === GPIO_INPUT) return this.external.get(id) ?? (p.pull === 1 ? 1 : 0);
    return 0;
  }

  /** The lab drives a pad from outside (undefined: lets it float again). */
  drive(id: number, level: 0 | 1 | undefined): void {
    this.check(id);
    if (level === undefined) this.external.delete(id);
    else if (level === 0 || level === 1) this.external.set(id, level);
    else throw new GpioError('bad-value');
  }

  private check(id: number): void {
    if (!this.table?.pins.includes(id)) throw new GpioError('unknown-pin');
  }

  private save(id: number, pin: { mode: number; output: 0 | 1; pull: GpioPull }): void {
    this.nvm.update<GpioNvm>('gpio', { pins: {} }, (s) => {
      s.pins[String(id)] = pin;
    });
  }

  private stored(): GpioNvm {
    return this.nvm.read<GpioNvm>('gpio', { pins: {} });
  }
}
