import type { MqttFailure } from '../../services/mqtt/mqtt-service.js';

/**
 * +UMQTTER <error_code1>,<error_code2>. The manuals' MQTT error table was not retrieved
 * (notes §D: only 33 timeout and 34 no radio service are known, and the example "13,4").
 * Our table (docs/architecture.md "u-blox MQTT client"): a broker refusal is 13 with the
 * CONNACK return code as the second number (so "13,4" is a bad user name or password);
 * the drops reuse the +UUMQTTC: 0 numbers; the rest follow +UHTTPER's numbering.
 */
const FIRST: Record<MqttFailure['reason'], number> = {
  refused: 13,
  'subscribe-refused': 14,
  connect: 11,
  dns: 23,
  tls: 73,
  timeout: 33,
  'no-data-path': 34,
  inactivity: 100,
  lost: 101,
  protocol: 102,
};

export function mqttErrorPair(failure: MqttFailure | undefined): [number, number] {
  if (!failure) return [0, 0];
  if (failure.reason === 'refused') return [FIRST.refused, failure.returnCode];
  if (failure.reason === 'subscribe-refused') return [FIRST['subscribe-refused'], 128];
  return [FIRST[failure.reason], 0];
}

/** +UUMQTTC: 0,<r> when the session ends by itself. */
export const DROP_RESULT = { inactivity: 100, lost: 101, protocol: 102 } as const;
