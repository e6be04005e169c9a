export * from './clock.js';
export * from './command-line.js';
export * from './params.js';
