import type { Duplex } from 'node:stream';
import { commandTable, createModule, listModels } from '@modemlab/module';
import type { LinkStackSource, NetworkOptions } from '@modemlab/module';

export type { NetworkOptions };

/** The part of '@modemlab/module' the CLI uses (narrow, so tests can pass a fake). */
export interface CliModule {
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
