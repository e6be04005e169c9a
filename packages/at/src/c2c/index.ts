export * from './body.js';
export * from './confirmation.js';
export * from './decoder.js';
export * from './fcs16.js';
export * from './frame.js';
export * from './keys.js';
export * from './padding.js';
