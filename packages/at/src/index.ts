export * from './clock.js';
export * from './command-line.js';
export * from './params.js';
export * from './cmux/index.js';
export * from './trace.js';
export * as mqttsn from './mqttsn/index.js';
