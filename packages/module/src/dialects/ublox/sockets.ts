import { socketControlCommands } from './socket-control.js';
import { socketDataCommands } from './socket-data.js';
import { socketSetupCommands } from './socket-setup.js';

/**
 * u-blox sockets (+USOCR ... +USODL): thin handlers over the vendor-neutral SocketService.
 * Failures answer +CME ERROR: 3 with the reason in +USOER (socket-errors.ts); the URCs
 * (+UUSORD, +UUSORF, +UUSOCL, +UUSOCO, +UUSOLI) are wired in socket-urcs.ts.
 */
export const socketCommands = [...socketSetupCommands, ...socketDataCommands, ...socketControlCommands];
