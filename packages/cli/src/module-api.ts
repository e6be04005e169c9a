import type { Duplex } from 'node:stream';
import { applyControls, commandTable, createModule, labSnapshot, listModels } from '@modemlab/module';
import type { GnssSetup, LabModule, LinkStackSource, NetworkOptions } from '@modemlab/module';

export type { NetworkOptions };

/** The lab side of one module that `serve`'s control socket reaches (lab-control.ts; VirtualModule fits). */
export interface LabPadsModule {
  readonly services?: {
    readonly gpio: { drive(id: number, level: 0 | 1 | undefined): void; level(id: number): 0 | 1 };
    readonly gnss: { setPosition(p: { latitude: number; longitude: number; altitude: number }): void };
    readonly firmware: { push(name: string, data: Buffer): void };
  };
}

/** The part of '@modemlab/module' the CLI uses (narrow, so tests can pass a fake). */
export interface CliModule extends LabPadsModule {
  readonly modelId: string;
  attach(stream: Duplex, name?: string): () => void;
  close(): Promise<void>;
  /** Every link stack the module opens (for `serve --trace`); see VirtualModule.onLinkStack. */
  onLinkStack?: LinkStackSource['onLinkStack'];
}

export interface CommandRow {
  name: string;
  forms: string[];
  source: string;
  aliases?: string[];
}

export interface ModuleApi {
  createModule(opts: {
    model: string;
    stateDir: string;
    hosts?: Record<string, string>;
    forwards?: Record<string, string>;
    network?: NetworkOptions;
    net?: 'lab' | 'open';
    log?: (message: string, detail?: unknown) => void;
    cloud?: { url: string; ca: string };
    /** The lab's GNSS position or track (serve --gnss). */
    gnss?: GnssSetup;
    baud?: number;
  }): Promise<CliModule>;
  listModels(): string[];
  commandTable?: (modelId: string) => CommandRow[];
  /** The lab console's view of a module (lab-control.ts): its state as JSON, the network controls. */
  lab?: {
    snapshot(m: CliModule): unknown;
    /** Throws an error with `code` 'bad-request' or 'not-implemented' for a refused control. */
    control(m: CliModule, input: unknown): void;
  };
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

// The modules createModule makes are VirtualModules: they are LabModules.
const lab: NonNullable<ModuleApi['lab']> = {
  snapshot: (m) => labSnapshot(m as unknown as LabModule),
  control: (m, input) => applyControls(m as unknown as LabModule, input),
};
const api: ModuleApi = { createModule, listModels, commandTable, lab };

/** The module package's API (a function so commands and tests can swap in a fake). */
export async function loadModuleApi(): Promise<ModuleApi> {
  return api;
}
