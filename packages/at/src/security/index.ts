export * from './kdf.js';
export * from './identity.js';
export * from './psk.js';
export * from './e2e.js';
export * from './ztp.js';
export * from './local-data.js';
