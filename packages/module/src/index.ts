export { createModule, moduleStateDir, VirtualModule, type ModuleOptions } from './module.js';
export { findModel, listModels } from './models/index.js';
export type { ModelTable } from './models/types.js';
export { commandTable } from './command-table.js';
export { Terminal } from './engine/terminal.js';
export type { DataPipe, DataSink } from './engine/data-pipe.js';
export * from './transports/index.js';
