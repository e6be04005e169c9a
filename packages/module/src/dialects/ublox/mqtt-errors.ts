import type { MqttFailure } from '../../services/mqtt/mqtt-service.js';

/**
 * +UMQTTER <error_code1>,<error_code2>. The manuals' MQTT error table is not public (notes §D:
 * the example "13,4"). ubxlib (u_cell_mqtt.c, getLastMqttErrorCode/mqttRetry) skips the first
 * number as "a generic thing" and acts on the SECOND: 33 = timeout and 34 = no radio service
 * mean "retry". So the second number is the specific code (docs/architecture.md "u-blox MQTT
 * client"): ubxlib's 33/34 where it knows one, the CONNACK/SUBACK return code for a refusal,
 * else the first number again — never 0 after a failure, since ubxlib hands it to its
 * disconnect callback as the error. The first number is our class: a broker refusal 13, a
 * refused subscription 14, the drops as in +UUMQTTC: 0, the rest after +UHTTPER's numbering.
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

/** The second number where it is not the first again (ubxlib's retry codes). */
const SECOND: Partial<Record<MqttFailure['reason'], number>> = { timeout: 33, 'no-data-path': 34 };

export function mqttErrorPair(failure: MqttFailure | undefined): [number, number] {
  if (!failure) return [0, 0];
  if (failure.reason === 'refused') return [FIRST.refused, failure.returnCode];
  if (failure.reason === 'subscribe-refused') return [FIRST['subscribe-refused'], 128];
  return [FIRST[failure.reason], SECOND[failure.reason] ?? FIRST[failure.reason]];
}

/** +UUMQTTC: 0,<r> when the session ends by itself (ubxlib: SARA-R5/R422 100 inactivity, 101 connection lost, 102 protocol violation). */
export const DROP_RESULT = { inactivity: 100, lost: 101, protocol: 102 } as const;
