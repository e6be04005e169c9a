import { q } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import { UbloxCme } from './errors.js';
import { SOCKET_PARAM, socketCall, socketCallAsync, socketId, socketRange } from './socket-errors.js';

const HOST_MAX = 255;
const HEX = /^[0-9A-Fa-f]*$/;
/**
 * The '@' prompt waits this long for the next byte before it gives up: the manuals give no
 * figure for sockets, so it is +USECMNG's "no input for > 20 s". The command then fails with
 * +CME ERROR: 2000 (command timeout) and nothing is sent.
 */
const BINARY_GUARD_MS = 20_000;
const COMMAND_TIMEOUT = 2000;

const hexMode = (ctx: CommandContext): boolean => ctx.module.services.settings.hexMode;

/** Payload of the base syntax: <length> must match the data, hex digits in hex mode (notes §A). */
function payload(ctx: CommandContext, length: number, data: string): Buffer {
  const { maxWrite, maxWriteHex } = ctx.module.model.sockets;
  if (hexMode(ctx)) {
    if (length < 1 || length > maxWriteHex || data.length !== length * 2 || !HEX.test(data)) throw cme(UbloxCme.badParameter);
    return Buffer.from(data, 'hex');
  }
  const bytes = Buffer.from(data, 'latin1');
  if (length < 1 || length > maxWrite || bytes.length !== length) throw cme(UbloxCme.badParameter);
  return bytes;
}

/** Binary syntax: '@', then exactly <length> bytes, never echoed, whatever the hex mode. */
async function binaryPayload(ctx: CommandContext, length: number): Promise<Buffer> {
  const outcome = await ctx.prompt({ kind: 'binary', length, char: '@', guardMs: BINARY_GUARD_MS });
  if (outcome.status !== 'done') throw cme(COMMAND_TIMEOUT, 'binary data incomplete');
  return outcome.data;
}

function checkBinaryLength(ctx: CommandContext, length: number): void {
  if (length < 1 || length > ctx.module.model.sockets.maxWrite) throw cme(UbloxCme.badParameter);
}

/**
 * The data of +USOWR/+USOST: the quoted parameter (string or hex), or, without it, exactly
 * <length> bytes after '@'. `check` (can the socket send?) runs before the prompt, so a
 * refused write never asks the host for its bytes.
 */
async function writeData(ctx: CommandContext, length: number, data: string | undefined, check: () => void): Promise<Buffer> {
  if (data !== undefined) {
    const bytes = payload(ctx, length, data);
    socketCall(check);
    return bytes;
  }
  checkBinaryLength(ctx, length);
  socketCall(check);
  return binaryPayload(ctx, length);
}

/**
 * Received bytes as +USORD/+USORF show them: hex digits in hex mode (upper case, our choice;
 * hosts such as ubxlib accept both cases), else the raw bytes between quotes.
 */
const shown = (ctx: CommandContext, data: Buffer): string => q(hexMode(ctx) ? data.toString('hex').toUpperCase() : data.toString('latin1'));

function readLength(ctx: CommandContext, length: number): void {
  const { maxRead, maxReadHex } = ctx.module.model.sockets;
  if (length > (hexMode(ctx) ? maxReadHex : maxRead)) throw cme(UbloxCme.badParameter);
}

/** Socket data: writes, reads, datagrams and direct link (notes §A). */
export const socketDataCommands = defineCommands(import.meta.url, [
  {
    name: '+USOWR',
    params: [SOCKET_PARAM, { name: 'length', type: 'int', min: 0, max: 65535 }, { name: 'data', type: 'string', optional: true, maxLength: 4096 }],
    async set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const length = args.length as number;
      const sockets = ctx.module.services.sockets;
      const bytes = await writeData(ctx, length, args.data as string | undefined, () => sockets.checkWrite(id));
      const sent = socketCall(() => sockets.write(id, bytes));
      ctx.info(`+USOWR: ${id},${sent}`);
    },
    test(ctx) {
      const { maxWrite, maxWriteHex } = ctx.module.model.sockets;
      const ids = socketRange(ctx);
      ctx.info(`+USOWR: ${ids},(0-${maxWriteHex}),"HEX data"`);
      ctx.info(`+USOWR: ${ids},(0-${maxWrite}),"data"`);
      ctx.info(`+USOWR: ${ids},(0-${maxWrite})`);
    },
  },
  {
    name: '+USORD',
    params: [SOCKET_PARAM, { name: 'length', type: 'int', min: 0, max: 65535 }],
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const length = args.length as number;
      readLength(ctx, length);
      const sockets = ctx.module.services.sockets;
      if (length === 0) {
        ctx.info(`+USORD: ${id},${socketCall(() => sockets.unread(id))}`);
        return;
      }
      // Nothing unread gives an empty read, +USORD: <s>,0,"" (the SARA-R4 quirk TinyGSM and Zephyr handle).
      const data = socketCall(() => sockets.read(id, length));
      ctx.info(`+USORD: ${id},${data.length},${shown(ctx, data)}`);
    },
    test(ctx) {
      ctx.info(`+USORD: ${socketRange(ctx)},(0-${ctx.module.model.sockets.maxRead})`);
    },
  },
  {
    name: '+USOST',
    params: [
      SOCKET_PARAM,
      { name: 'host', type: 'string', minLength: 1, maxLength: HOST_MAX },
      { name: 'port', type: 'int', min: 1, max: 65535 },
      { name: 'length', type: 'int', min: 0, max: 65535 },
      { name: 'data', type: 'string', optional: true, maxLength: 4096 },
    ],
    async set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const length = args.length as number;
      const sockets = ctx.module.services.sockets;
      const bytes = await writeData(ctx, length, args.data as string | undefined, () => sockets.checkSendTo(id));
      const sent = await socketCallAsync(() => sockets.sendTo(id, args.host as string, args.port as number, bytes));
      ctx.info(`+USOST: ${id},${sent}`);
    },
    test(ctx) {
      const { maxWrite, maxWriteHex } = ctx.module.model.sockets;
      const ids = socketRange(ctx);
      ctx.info(`+USOST: ${ids},"remote_host",(1-65535),(1-${maxWriteHex}),"HEX data"`);
      ctx.info(`+USOST: ${ids},"remote_host",(1-65535),(1-${maxWrite}),"data"`);
      ctx.info(`+USOST: ${ids},"remote_host",(1-65535),(1-${maxWrite})`);
    },
  },
  {
    name: '+USORF',
    params: [SOCKET_PARAM, { name: 'length', type: 'int', min: 0, max: 65535 }],
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const length = args.length as number;
      readLength(ctx, length);
      const sockets = ctx.module.services.sockets;
      if (length === 0) {
        const info = socketCall(() => sockets.info(id));
        if (info.protocol !== 'udp') throw cme(UbloxCme.notAllowed);
        ctx.info(`+USORF: ${id},${info.unread}`);
        return;
      }
      // One datagram per read; bytes beyond <length> are discarded. With none queued the
      // answer is an empty datagram from nowhere, +USORF: <s>,"",0,0,"" (our choice).
      const d = socketCall(() => sockets.readFrom(id, length));
      if (!d) {
        ctx.info(`+USORF: ${id},"",0,0,""`);
        return;
      }
      ctx.info(`+USORF: ${id},${q(d.address)},${d.port},${d.data.length},${shown(ctx, d.data)}`);
    },
    test(ctx) {
      ctx.info(`+USORF: ${socketRange(ctx)},(0-${ctx.module.model.sockets.maxRead})`);
    },
  },
  {
    name: '+USODL',
    params: [SOCKET_PARAM],
    // CONNECT, then the socket's bytes both ways (unread data first). +++ returns to command
    // mode with OK and the socket stays open; the peer closing prints NO CARRIER, then +UUSOCL.
    set(ctx, args) {
      const id = socketId(ctx, args.socket);
      const pipe = socketCall(() => ctx.module.services.sockets.openPipe(id));
      return ctx.goOnline(pipe);
    },
    test(ctx) {
      ctx.info(`+USODL: ${socketRange(ctx)}`);
    },
  },
]);
