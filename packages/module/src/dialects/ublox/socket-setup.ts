import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { UbloxCme } from './errors.js';
import { SOCKET_PARAM, socketCall, socketCallAsync, socketId, socketRange } from './socket-errors.js';
import { socketOwners } from './socket-owners.js';

const HOST_MAX = 255;
const PORT = { type: 'int', min: 1, max: 65535 } as const;

/** Socket life cycle: create, secure, connect, listen, close (notes §A). */
export const socketSetupCommands = defineCommands(import.meta.url, [
  {
    name: '+USOCR',
    params: [
      { name: 'protocol', type: 'int', values: [6, 17] },
      { name: 'localPort', ...PORT, optional: true },
    ],
    async set(ctx, { protocol, localPort }) {
      const sockets = ctx.module.services.sockets;
      const id = await socketCallAsync(() => sockets.create(protocol === 6 ? 'tcp' : 'udp', localPort as number | undefined));
      socketOwners(ctx.module).set(id, ctx.session);
      ctx.info(`+USOCR: ${id}`);
    },
    test(ctx) {
      ctx.info('+USOCR: (6,17),(1-65535)');
    },
  },
  {
    name: '+USOSEC',
    params: [SOCKET_PARAM, { name: 'status', type: 'int', min: 0, max: 1, optional: true }, { name: 'profile', type: 'int', min: 0, max: 255, optional: true }],
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const sockets = ctx.module.services.sockets;
      if (args.status === undefined) {
        // Query form [I]: AT+USOSEC=<socket> -> +USOSEC: <socket>,<status>,<profile>.
        if (args.profile !== undefined) throw cme(UbloxCme.badParameter);
        const info = socketCall(() => sockets.info(id));
        ctx.info(`+USOSEC: ${id},${info.secure ? 1 : 0},${info.profileId}`);
        return;
      }
      const profile = (args.profile as number | undefined) ?? 0;
      if (profile >= ctx.module.model.tls.profiles) throw cme(UbloxCme.badParameter, 'profile out of range');
      socketCall(() => sockets.setSecure(id, args.status === 1, profile));
    },
    test(ctx) {
      ctx.info(`+USOSEC: ${socketRange(ctx)},(0-1),(0-${ctx.module.model.tls.profiles - 1})`);
    },
  },
  {
    name: '+USOCO',
    params: [
      SOCKET_PARAM,
      { name: 'host', type: 'string', minLength: 1, maxLength: HOST_MAX },
      { name: 'port', ...PORT },
      { name: 'async', type: 'int', min: 0, max: 1, optional: true, default: 0 },
    ],
    // Blocking: OK once the TCP (and TLS) handshake is done. Async: OK now, +UUSOCO later (socket-urcs.ts).
    async set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const sockets = ctx.module.services.sockets;
      if (args.async === 1) {
        socketCall(() => sockets.startConnect(id, args.host as string, args.port as number));
        return;
      }
      await socketCallAsync(() => sockets.connect(id, args.host as string, args.port as number));
    },
    test(ctx) {
      ctx.info(`+USOCO: ${socketRange(ctx)},"remote_host",(1-65535),(0-1)`);
    },
  },
  {
    name: '+USOLI',
    params: [SOCKET_PARAM, { name: 'port', ...PORT }],
    async set(ctx, args) {
      const id = socketId(ctx, args.socket);
      await socketCallAsync(() => ctx.module.services.sockets.listen(id, args.port as number));
    },
    test(ctx) {
      ctx.info(`+USOLI: ${socketRange(ctx)},(1-65535)`);
    },
  },
  {
    name: '+USOCL',
    params: [SOCKET_PARAM, { name: 'async', type: 'int', min: 0, max: 1, optional: true, default: 0 }],
    // The async flag has effect for TCP only (R4 manual): a UDP socket closes at once, without +UUSOCL.
    async set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const sockets = ctx.module.services.sockets;
      const info = socketCall(() => sockets.info(id));
      if (args.async === 1 && info.protocol === 'tcp') {
        socketCall(() => sockets.closeAsync(id));
        return;
      }
      await socketCallAsync(() => sockets.close(id));
    },
    test(ctx) {
      ctx.info(`+USOCL: ${socketRange(ctx)},(0-1)`);
    },
  },
]);
