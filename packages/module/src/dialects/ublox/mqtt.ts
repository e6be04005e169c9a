import { q, type ParamSpec, type RawParam } from '@modemlab/at';
import type { CommandContext } from '../../engine/context.js';
import { cme } from '../../engine/failure.js';
import { defineCommands } from '../../engine/registry.js';
import type { MqttTable } from '../../models/mqtt-table.js';
import { MqttConfigError, type MqttService } from '../../services/mqtt/mqtt-service.js';
import { UbloxCme } from './errors.js';
import { formatList } from './usecprf.js';

/**
 * +UMQTT (the profile) and +UMQTTNV (its NVM copy), after the SARA-R5 manual and ubxlib
 * (notes §D). A set answers plain OK (SARA-R5 syntax). Decisions where they are silent
 * (docs/architecture.md "u-blox MQTT client"): op 1 is the broker port; op 4 reads back the
 * user name only (the password stays secret, as in the security profiles); op 2 and op 3
 * replace each other; a read of an unset string is "".
 */

type Ctx = CommandContext;

export const mqtt = (ctx: Ctx): MqttService => ctx.module.services.mqtt;
export const mqttTable = (ctx: Ctx): MqttTable => {
  const t = ctx.module.model.mqtt;
  if (!t) throw cme(UbloxCme.notSupported, 'no MQTT client');
  return t;
};

export const int = (name: string, min: number, max: number, optional = false): ParamSpec => ({ name, type: 'int', min, max, optional });
export const str = (name: string, maxLength: number, optional = false): ParamSpec => ({ name, type: 'string', maxLength, optional });
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

/** Runs a profile change and turns its refusal into the u-blox error. */
function change(call: () => void): void {
  try {
    call();
  } catch (err) {
    if (err instanceof MqttConfigError) throw cme(UbloxCme.badParameter, err.message);
    throw err;
  }
}

/** Hex digits to bytes, or the bad-parameter error. */
export function hexBytes(digits: string): Buffer {
  if (!HEX.test(digits)) throw cme(UbloxCme.badParameter, 'not hex digits');
  return Buffer.from(digits, 'hex');
}

interface Op {
  read(ctx: Ctx): string;
  set(ctx: Ctx, values: RawParam[]): void;
}

const OPS: Record<number, Op> = {
  0: {
    read: (ctx) => q(mqtt(ctx).profiles.get().clientId),
    set(ctx, values) {
      const v = ctx.validate(values, [str('id', mqttTable(ctx).maxClientId)]);
      change(() => mqtt(ctx).profiles.setClientId(v.id as string));
    },
  },
  1: {
    read: (ctx) => String(mqtt(ctx).profiles.effectivePort()),
    set(ctx, values) {
      const v = ctx.validate(values, [int('port', 1, 65535)]);
      mqtt(ctx).profiles.setPort(v.port as number);
    },
  },
  2: {
    read: (ctx) => `${q(mqtt(ctx).profiles.get().serverName)},${mqtt(ctx).profiles.effectivePort()}`,
    set(ctx, values) {
      const v = ctx.validate(values, [str('name', mqttTable(ctx).maxServerName), int('port', 1, 65535, true)]);
      change(() => mqtt(ctx).profiles.setServer('name', v.name as string, v.port as number | undefined));
    },
  },
  3: {
    read: (ctx) => `${q(mqtt(ctx).profiles.get().serverIp)},${mqtt(ctx).profiles.effectivePort()}`,
    set(ctx, values) {
      const v = ctx.validate(values, [str('ip', 15), int('port', 1, 65535, true)]);
      change(() => mqtt(ctx).profiles.setServer('ip', v.ip as string, v.port as number | undefined));
    },
  },
  4: {
    read: (ctx) => q(mqtt(ctx).profiles.get().username),
    set(ctx, values) {
      const max = mqttTable(ctx).maxCredential;
      const v = ctx.validate(values, [str('user', max), str('password', max, true)]);
      change(() => mqtt(ctx).profiles.setCredentials(v.user as string, v.password as string | undefined));
    },
  },
  6: {
    read: (ctx) => String(mqtt(ctx).profiles.get().willQos),
    set(ctx, values) {
      const v = ctx.validate(values, [int('qos', 0, 2)]);
      mqtt(ctx).profiles.setWill({ qos: v.qos as 0 | 1 | 2 });
    },
  },
  7: {
    read: (ctx) => (mqtt(ctx).profiles.get().willRetain ? '1' : '0'),
    set(ctx, values) {
      const v = ctx.validate(values, [int('retain', 0, 1)]);
      mqtt(ctx).profiles.setWill({ retain: v.retain === 1 });
    },
  },
  8: {
    read: (ctx) => q(mqtt(ctx).profiles.get().willTopic),
    set(ctx, values) {
      const v = ctx.validate(values, [str('topic', mqttTable(ctx).maxTopic)]);
      change(() => mqtt(ctx).profiles.setWill({ topic: v.topic as string }));
    },
  },
  9: {
    read: (ctx) => q(mqtt(ctx).profiles.get().willMessage.toString('latin1')),
    set(ctx, values) {
      const v = ctx.validate(values, [str('message', mqttTable(ctx).maxWillMessage * 2), int('hex', 0, 1, true)]);
      const text = v.message as string;
      const message = v.hex === 1 ? hexBytes(text) : Buffer.from(text, 'latin1');
      change(() => mqtt(ctx).profiles.setWill({ message }));
    },
  },
  10: {
    read: (ctx) => String(mqtt(ctx).profiles.get().keepAliveS),
    set(ctx, values) {
      const { min, max } = mqttTable(ctx).keepAliveRangeS;
      const v = ctx.validate(values, [int('seconds', min, max)]);
      mqtt(ctx).profiles.setKeepAlive(v.seconds as number);
    },
  },
  11: {
    read(ctx) {
      const p = mqtt(ctx).profiles.get();
      return p.secure ? `1,${p.securityProfile}` : '0';
    },
    set(ctx, values) {
      const v = ctx.validate(values, [int('secure', 0, 1), int('profile', 0, ctx.module.model.tls.profiles - 1, true)]);
      if (v.secure === 0 && v.profile !== undefined) throw cme(UbloxCme.badParameter, 'security profile without security');
      mqtt(ctx).profiles.setSecure(v.secure === 1, (v.profile as number | undefined) ?? 0);
    },
  },
  12: {
    read: (ctx) => (mqtt(ctx).profiles.get().cleanSession ? '1' : '0'),
    set(ctx, values) {
      const v = ctx.validate(values, [int('clean', 0, 1)]);
      mqtt(ctx).profiles.setCleanSession(v.clean === 1);
    },
  },
};

const OP_NUMBERS = Object.keys(OPS).map(Number);

export const mqttProfileCommands = defineCommands(import.meta.url, [
  {
    name: '+UMQTT',
    set(ctx, _args, raw) {
      mqttTable(ctx);
      const head = ctx.validate(raw.slice(0, 1), [{ name: 'op', type: 'int', values: OP_NUMBERS }]);
      const op = OPS[head.op as number]!;
      const values = raw.slice(1);
      if (values.length === 0) ctx.info(`+UMQTT: ${head.op},${op.read(ctx)}`);
      else op.set(ctx, values);
    },
    test(ctx) {
      mqttTable(ctx);
      ctx.info(`+UMQTT: ${formatList(OP_NUMBERS)}`);
    },
  },
  {
    name: '+UMQTTNV',
    set(ctx, _args, raw) {
      mqttTable(ctx);
      const v = ctx.validate(raw, [int('action', 0, 2)]);
      const profiles = mqtt(ctx).profiles;
      if (v.action === 0) profiles.restoreFactory();
      else if (v.action === 1) profiles.load();
      else profiles.store();
    },
    test(ctx) {
      mqttTable(ctx);
      ctx.info('+UMQTTNV: (0-2)');
    },
  },
]);
