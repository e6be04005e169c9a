export * from './control.js';
export * from './decoder.js';
export * from './fcs.js';
export * from './frame.js';
export * from './roles.js';
