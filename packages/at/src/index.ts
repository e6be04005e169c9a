export * from './clock.js';
export * from './command-line.js';
export * from './params.js';
export * from './cmux/index.js';
export * from './trace.js';
export * from './security/module-request-mac.js';
export * from './security/index.js';
export * as mqttsn from './mqttsn/index.js';
export * from './c2c/index.js';
