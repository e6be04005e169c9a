import { createSocket, type Socket } from 'node:dgram';

export type { Socket };

/** The UDP socket a DTLS session runs on (IPv4, as the module's stack). */
export const createDgramSocket = (): Socket => createSocket('udp4');
