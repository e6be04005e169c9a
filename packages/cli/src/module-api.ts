import type { Duplex } from 'node:stream';
import { commandTable, createModule, listModels } from '@modemlab/module';
import type { GnssSetup, LinkStackSource, NetworkOptions } from '@modemlab/module';

export type { NetworkOptions };

/** The lab side of one module that `serve`'s control socket reaches (lab-control.ts; VirtualModule fits). */
export interface LabModule {
  readonly services?: {
    readonly gpio: { drive(id: number, level: 0 | 1 | undefined): void; level(id: number): 0 | 1 };
    readonly gnss: { setPosition(p: { latitude: number; longitude: number; altitude: number }): void };
    readonly firmware: { push(name: string, data: Buffer): void };
  };
}

/** The part of '@modemlab/module' the CLI uses (narrow, so tests can pass a fake). */
export interface CliModule extends LabModule {
  readonly modelId: string;
  attach(stream: Duplex): () => void;
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

const api: ModuleApi = { createModule, listModels, commandTable };

/** The module package's API (a function so commands and tests can swap in a fake). */
export async function loadModuleApi(): Promise<ModuleApi> {
  return api;
}
