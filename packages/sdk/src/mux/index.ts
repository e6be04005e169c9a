export { CmuxHost, CmuxChannelRefusedError, type CmuxHostOptions } from './cmux-host.js';
export { enterMux } from './enter-mux.js';
export { MuxChannel } from './mux-channel.js';
export { openMux, type MuxOptions, type OpenedMux } from './open-mux.js';
