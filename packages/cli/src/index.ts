export { main, buildProgram } from './program.js';
export { startServe, type ServeOptions, type Served } from './serve.js';
export { runTerm, hexDump, newlineToCr, type TermOptions } from './term.js';
export { commandsMarkdown, commandsDoc } from './docs.js';
export * from './parse.js';
