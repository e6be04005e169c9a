import { type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { FileSystemError } from '../../services/files/file-system.js';
import { MqttNotAllowedError, type MqttOp, type MqttQos } from '../../services/mqtt/mqtt-service.js';
import { UbloxCme } from './errors.js';
import { hexBytes, int, mqtt, mqttTable, str } from './mqtt.js';
import { DROP_RESULT, mqttErrorPair } from './mqtt-errors.js';

/**
 * +UMQTTC (session commands) and +UMQTTER, after the SARA-R5 manual and ubxlib (notes §D).
 * Each command answers OK at once; its outcome is the URC +UUMQTTC: <op>,<result>[,...]
 * (1 success, 0 failure). Decisions where the sources are silent (docs/architecture.md
 * "u-blox MQTT client"): a command that needs a session without one, or sent while another
 * waits for the broker, is "operation not allowed" (ubxlib's answer for the latter) and
 * changes nothing; +UMQTTC=6 reads all unread messages, +UMQTTC=6,1 the oldest one, and
 * answers OK alone when none is waiting.
 */

type Ctx = CommandContext;

const OP_NUMBER: Record<MqttOp, number> = { logout: 0, login: 1, publish: 2, subscribe: 4, unsubscribe: 5, ping: 8, 'publish-binary': 9 };
/** The '>' prompt of the binary publish waits this long for the rest of the bytes (as +USECMNG's 20 s). */
const BINARY_GUARD_MS = 20_000;
const COMMAND_TIMEOUT = 2000;

/** Calls the service; a refusal becomes "operation not allowed" with nothing changed. */
function call(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof MqttNotAllowedError) throw cme(UbloxCme.notAllowed, err.message);
    throw err;
  }
}

function noMore(values: RawParam[], count: number): void {
  if (values.length > count) throw cme(UbloxCme.badParameter, 'too many parameters');
}

async function binaryPublish(ctx: Ctx, rest: RawParam[]): Promise<void> {
  const t = mqttTable(ctx);
  const v = ctx.validate(rest, [int('qos', 0, 2), int('retain', 0, 1), str('topic', t.maxTopic), int('length', 1, t.maxBinaryMessage)]);
  const service = mqtt(ctx);
  // Refused before the prompt: the host is never asked for bytes it cannot send.
  if (!service.connected) throw cme(UbloxCme.notAllowed, 'no session');
  if ((v.topic as string).length === 0) throw cme(UbloxCme.badParameter, 'empty topic');
  const outcome = await ctx.prompt({ kind: 'binary', length: v.length as number, char: '>', guardMs: BINARY_GUARD_MS });
  if (outcome.status !== 'done') throw cme(COMMAND_TIMEOUT, 'binary data incomplete');
  call(() => service.publish(v.qos as MqttQos, v.retain === 1, v.topic as string, outcome.data, true, (fn) => ctx.afterResult(fn)));
}

function publishText(ctx: Ctx, rest: RawParam[]): void {
  const t = mqttTable(ctx);
  const v = ctx.validate(rest, [int('qos', 0, 2), int('retain', 0, 1), int('hex', 0, 1), str('topic', t.maxTopic), str('message', Math.max(t.maxTextMessage, t.maxHexMessage * 2))]);
  const text = v.message as string;
  let payload: Buffer;
  if (v.hex === 1) {
    payload = hexBytes(text);
    if (payload.length > t.maxHexMessage) throw cme(UbloxCme.badParameter, 'hex message too long');
  } else {
    if (text.length > t.maxTextMessage) throw cme(UbloxCme.badParameter, 'message too long');
    payload = Buffer.from(text, 'latin1');
  }
  if ((v.topic as string).length === 0) throw cme(UbloxCme.badParameter, 'empty topic');
  call(() => mqtt(ctx).publish(v.qos as MqttQos, v.retain === 1, v.topic as string, payload, false, (fn) => ctx.afterResult(fn)));
}

function publishFile(ctx: Ctx, rest: RawParam[]): void {
  const t = mqttTable(ctx);
  const v = ctx.validate(rest, [int('qos', 0, 2), int('retain', 0, 1), str('topic', t.maxTopic), str('file', 248)]);
  let payload: Buffer;
  try {
    payload = ctx.module.services.files.read(v.file as string);
  } catch (err) {
    if (err instanceof FileSystemError) throw cme(UbloxCme.badParameter, err.message);
    throw err;
  }
  if (payload.length > t.maxBinaryMessage) throw cme(UbloxCme.badParameter, 'file longer than a message');
  // The file's outcome is reported as a publish (op 3 shares op 2's URC in our model).
  call(() => mqtt(ctx).publish(v.qos as MqttQos, v.retain === 1, v.topic as string, payload, false, (fn) => ctx.afterResult(fn)));
}

function readMessages(ctx: Ctx, rest: RawParam[]): void {
  const v = ctx.validate(rest, [int('one', 0, 1, true)]);
  for (const m of mqtt(ctx).read(v.one !== 1)) {
    const topicLength = Buffer.byteLength(m.topic, 'latin1');
    ctx.info(`+UMQTTC: 6,${m.qos},${topicLength + m.payload.length},${topicLength},"${m.topic}",${m.payload.length},"${m.payload.toString('latin1')}"`);
  }
}

export const mqttSessionCommands = defineCommands(import.meta.url, [
  {
    name: '+UMQTTC',
    async set(ctx, _args, raw) {
      const t = mqttTable(ctx);
      const head = ctx.validate(raw.slice(0, 1), [{ name: 'op', type: 'int', values: [0, 1, 2, 3, 4, 5, 6, 8, 9] }]);
      const rest = raw.slice(1);
      const service = mqtt(ctx);
      switch (head.op) {
        case 0:
          noMore(rest, 0);
          return call(() => service.logout());
        case 1:
          noMore(rest, 0);
          return call(() => service.login());
        case 2:
          return publishText(ctx, rest);
        case 3:
          return publishFile(ctx, rest);
        case 4: {
          const v = ctx.validate(rest, [int('qos', 0, 2), str('filter', t.maxTopic)]);
          if ((v.filter as string).length === 0) throw cme(UbloxCme.badParameter, 'empty topic filter');
          return call(() => service.subscribe(v.qos as MqttQos, v.filter as string));
        }
        case 5: {
          const v = ctx.validate(rest, [str('filter', t.maxTopic)]);
          if ((v.filter as string).length === 0) throw cme(UbloxCme.badParameter, 'empty topic filter');
          return call(() => service.unsubscribe(v.filter as string));
        }
        case 6:
          return readMessages(ctx, rest);
        case 8: {
          const v = ctx.validate(rest, [int('on', 0, 1)]);
          return call(() => service.setPing(v.on === 1));
        }
        default:
          return binaryPublish(ctx, rest);
      }
    },
    test(ctx) {
      mqttTable(ctx);
      ctx.info('+UMQTTC: (0-6,8,9)');
    },
  },
  {
    name: '+UMQTTER',
    action(ctx) {
      mqttTable(ctx);
      const [first, second] = mqttErrorPair(mqtt(ctx).lastError());
      ctx.info(`+UMQTTER: ${first},${second}`);
    },
  },
]);

/** +UUMQTTC: per-operation results, session drops and the unread count. */
export function wireMqttUrcs(module: ModuleHost): void {
  const service = module.services.mqtt;
  service.on('result', (r) => {
    const base = `+UUMQTTC: ${OP_NUMBER[r.op]},${r.ok ? 1 : 0}`;
    module.urc(r.op === 'subscribe' ? `${base},${r.grantedQos ?? 0},"${r.topic ?? ''}"` : base);
  });
  service.on('dropped', (why) => module.urc(`+UUMQTTC: 0,${DROP_RESULT[why]}`));
  service.on('unread', (count) => module.urc(`+UUMQTTC: 6,${count}`));
}
