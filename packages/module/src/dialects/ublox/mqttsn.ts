import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { ModuleHost } from '../../module-host.js';
import { MQTTSN_SECURE_PORT } from '../../services/mqttsn/config.js';
import { MqttSnRefused, type MqttSnOp, type MqttSnService, type SnTopicType } from '../../services/mqttsn/service.js';
import { UbloxCme } from './errors.js';

/**
 * +UMQTTSN (configuration), +UMQTTSNC (commands, results in +UUMQTTSNC URCs), +UMQTTSNNV
 * (NVM profile) and +UMQTTSNER (last error), after ubxlib's u_cell_mqtt.c (notes §D).
 * Decisions where the sources are silent are in docs/architecture.md ("MQTT-SN"):
 * - QoS 3 in publish means MQTT-SN QoS -1 (the flags' bit pattern 11);
 * - a normal or predefined topic in publish/subscribe/unsubscribe is its id in decimal, a
 *   normal topic in subscribe/unsubscribe is the topic name;
 * - the subscribe URC is +UUMQTTSNC: 5,<result>,<granted_qos>,<topic_id>;
 * - a refused command answers "operation not allowed" (busy, not connected) or "bad parameter".
 */

type Ctx = CommandContext;
const sn = (ctx: Ctx): MqttSnService => ctx.module.services.mqttsn;
const int = (name: string, min: number, max: number, optional = false): ParamSpec => ({ name, type: 'int', min, max, optional });
const str = (name: string, maxLength: number, minLength = 0): ParamSpec => ({ name, type: 'string', maxLength, minLength });

const MAX_TOPIC = 256;
const MAX_MESSAGE = 1024;

interface ConfigOp {
  read(s: MqttSnService): string;
  set(ctx: Ctx, values: RawParam[]): void;
}

const CONFIG: Record<number, ConfigOp> = {
  0: {
    read: (s) => q(s.config.clientId),
    set(ctx, values) {
      const v = ctx.validate(values, [str('id', 23, 1)]);
      sn(ctx).config.clientId = v.id as string;
    },
  },
  1: {
    read: (s) => `${q(s.config.server)},${s.config.port}`,
    set(ctx, values) {
      const v = ctx.validate(values, [str('name', 128, 1), int('port', 1, 65535, true)]);
      Object.assign(sn(ctx).config, { server: v.name, port: (v.port as number | undefined) ?? sn(ctx).config.port });
    },
  },
  2: {
    read: (s) => `${q(s.config.server)},${s.config.port}`,
    set(ctx, values) {
      const v = ctx.validate(values, [str('ip', 39, 7), int('port', 1, 65535, true)]);
      if (!/^[\d.]+$|:/.test(v.ip as string)) throw cme(UbloxCme.badParameter, 'not an IP address');
      Object.assign(sn(ctx).config, { server: v.ip, port: (v.port as number | undefined) ?? sn(ctx).config.port });
    },
  },
  4: {
    read: (s) => String(s.config.willQos),
    set(ctx, values) {
      sn(ctx).config.willQos = ctx.validate(values, [int('qos', 0, 2)]).qos as 0 | 1 | 2;
    },
  },
  5: {
    read: (s) => (s.config.willRetain ? '1' : '0'),
    set(ctx, values) {
      sn(ctx).config.willRetain = ctx.validate(values, [int('retain', 0, 1)]).retain === 1;
    },
  },
  6: {
    read: (s) => q(s.config.willTopic),
    set(ctx, values) {
      sn(ctx).config.willTopic = ctx.validate(values, [str('topic', MAX_TOPIC)]).topic as string;
    },
  },
  7: {
    read: (s) => q(s.config.willMessage),
    set(ctx, values) {
      sn(ctx).config.willMessage = ctx.validate(values, [str('msg', MAX_MESSAGE)]).msg as string;
    },
  },
  8: {
    read: (s) => String(s.config.duration),
    set(ctx, values) {
      sn(ctx).config.duration = ctx.validate(values, [int('duration', 0, 65535)]).duration as number;
    },
  },
  9: {
    read: (s) => (s.config.secure ? `1,${s.config.securityProfile}` : '0'),
    set(ctx, values) {
      const v = ctx.validate(values, [int('secure', 0, 1), int('profile', 0, ctx.module.model.tls.profiles - 1, true)]);
      const c = sn(ctx).config;
      const secure = v.secure === 1;
      // Switching security moves the port to the other default unless one was set explicitly.
      if (secure && !c.secure && c.port === 2442) c.port = MQTTSN_SECURE_PORT;
      if (!secure && c.secure && c.port === MQTTSN_SECURE_PORT) c.port = 2442;
      Object.assign(c, { secure, securityProfile: (v.profile as number | undefined) ?? 0 });
    },
  },
  10: {
    read: (s) => (s.config.cleanSession ? '1' : '0'),
    set(ctx, values) {
      sn(ctx).config.cleanSession = ctx.validate(values, [int('clean', 0, 1)]).clean === 1;
    },
  },
};

/** +UMQTTSNC op numbers. */
const OP_NUMBER: Record<MqttSnOp['op'], number> = {
  disconnect: 0,
  connect: 1,
  register: 2,
  publish: 4,
  subscribe: 5,
  unsubscribe: 6,
  'will-topic-update': 7,
  'will-message-update': 8,
  ping: 10,
};
const READ = 9;

function payload(text: string, hex: boolean): Buffer {
  if (!hex) return Buffer.from(text, 'latin1');
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw cme(UbloxCme.badParameter, 'not hexadecimal');
  return Buffer.from(text, 'hex');
}

function parseOp(ctx: Ctx, op: number, rest: RawParam[]): MqttSnOp {
  switch (op) {
    case 0: {
      const v = ctx.validate(rest, [int('duration', 1, 65535, true)]);
      return v.duration === undefined ? { op: 'disconnect' } : { op: 'disconnect', sleepS: v.duration as number };
    }
    case 1:
      ctx.validate(rest, []);
      return { op: 'connect' };
    case 2:
      return { op: 'register', topic: ctx.validate(rest, [str('topic', MAX_TOPIC, 1)]).topic as string };
    case 4: {
      const v = ctx.validate(rest, [int('qos', 0, 3), int('retain', 0, 1), int('hex', 0, 1), int('type', 0, 2), str('topic', MAX_TOPIC, 1), str('msg', 2 * MAX_MESSAGE)]);
      const data = payload(v.msg as string, v.hex === 1);
      if (data.length > MAX_MESSAGE) throw cme(UbloxCme.badParameter, 'message too long');
      const qos = v.qos === 3 ? -1 : (v.qos as 0 | 1 | 2);
      return { op: 'publish', qos, retain: v.retain === 1, topicType: v.type as SnTopicType, topic: v.topic as string, payload: data };
    }
    case 5: {
      const v = ctx.validate(rest, [int('qos', 0, 2), int('type', 0, 2), str('topic', MAX_TOPIC, 1)]);
      return { op: 'subscribe', qos: v.qos as 0 | 1 | 2, topicType: v.type as SnTopicType, topic: v.topic as string };
    }
    case 6: {
      const v = ctx.validate(rest, [int('type', 0, 2), str('topic', MAX_TOPIC, 1)]);
      return { op: 'unsubscribe', topicType: v.type as SnTopicType, topic: v.topic as string };
    }
    case 7: {
      const v = ctx.validate(rest, [int('qos', 0, 2), int('retain', 0, 1), str('topic', MAX_TOPIC)]);
      return { op: 'will-topic-update', qos: v.qos as 0 | 1 | 2, retain: v.retain === 1, topic: v.topic as string };
    }
    case 8:
      return { op: 'will-message-update', message: ctx.validate(rest, [str('msg', MAX_MESSAGE)]).msg as string };
    case 10:
      ctx.validate(rest, []);
      return { op: 'ping' };
    default:
      throw cme(UbloxCme.badParameter, `op ${op}`);
  }
}

export const mqttsnCommands = defineCommands(import.meta.url, [
  {
    name: '+UMQTTSN',
    set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 1), [{ name: 'op', type: 'int', values: Object.keys(CONFIG).map(Number) }]);
      const op = CONFIG[head.op as number]!;
      const values = raw.slice(1);
      if (values.length === 0) {
        ctx.info(`+UMQTTSN: ${head.op},${op.read(sn(ctx))}`);
        return;
      }
      // Configuration is fixed while a session exists: the real module refuses it too.
      if (sn(ctx).connected) throw cme(UbloxCme.notAllowed, 'connected');
      op.set(ctx, values);
    },
  },
  {
    name: '+UMQTTSNC',
    set(ctx, _args, raw) {
      const head = ctx.validate(raw.slice(0, 1), [int('op', 0, 10)]);
      const s = sn(ctx);
      if (head.op === READ) {
        ctx.validate(raw.slice(1), [int('one', 0, 1, true)]);
        const m = s.read();
        if (!m) throw cme(UbloxCme.notAllowed, 'no message');
        ctx.info(`+UMQTTSNC: 9,${m.qos === -1 ? 3 : m.qos},${m.topicType},${q(m.topic)},${m.payload.length},${q(m.payload.toString('latin1'))}`);
        return;
      }
      const req = parseOp(ctx, head.op as number, raw.slice(1));
      try {
        s.start(req);
      } catch (err) {
        if (err instanceof MqttSnRefused) throw cme(err.reason === 'bad-topic' ? UbloxCme.badParameter : UbloxCme.notAllowed, err.message);
        throw err;
      }
    },
  },
  {
    name: '+UMQTTSNNV',
    set(ctx, _args, raw) {
      const v = ctx.validate(raw, [int('action', 0, 2)]);
      sn(ctx).nvm(v.action as 0 | 1 | 2);
    },
  },
  {
    name: '+UMQTTSNER',
    action(ctx) {
      const [a, b] = sn(ctx).error;
      ctx.info(`+UMQTTSNER: ${a},${b}`);
    },
  },
]);

/** +UUMQTTSNC: <op>,<result>[,...]; +UUMQTTSNC: 9,<unread> when a message is stored. */
export function wireMqttSnUrcs(module: ModuleHost): void {
  const s = module.services.mqttsn;
  s.on('result', (r) => {
    const extra = r.op === 'register' && r.ok ? `,${r.topicId}` : r.op === 'subscribe' && r.ok ? `,${r.qos},${r.topicId}` : '';
    // A session lost without our DISCONNECT reads like MQTT's +UUMQTTC: 0,101 (connection lost).
    if (r.unsolicited) return module.urc('+UUMQTTSNC: 0,101');
    module.urc(`+UUMQTTSNC: ${OP_NUMBER[r.op]},${r.ok ? 1 : 0}${extra}`);
  });
  s.on('unread', (n) => module.urc(`+UUMQTTSNC: 9,${n}`));
}
