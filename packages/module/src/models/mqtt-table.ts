/** What a product's MQTT client (+UMQTT/+UMQTTC/+UMQTTNV/+UMQTTER) offers. */
export interface MqttTable {
  /** Longest client id, server name, user name and password, topic (name or filter). */
  maxClientId: number;
  maxServerName: number;
  maxCredential: number;
  maxTopic: number;
  /** Longest +UMQTTC=2 message: text characters, and bytes in hex mode (two digits each). */
  maxTextMessage: number;
  maxHexMessage: number;
  /** Longest +UMQTTC=9 binary publish (bytes after the '>' prompt). */
  maxBinaryMessage: number;
  /** Longest will message (text). */
  maxWillMessage: number;
  /** Received messages the module keeps until read; older ones are dropped beyond it. */
  maxStoredMessages: number;
  /** Range of the keep-alive (+UMQTT op 10), seconds; 0 = none. */
  keepAliveRangeS: { min: number; max: number };
  /** A command waits this long (module time) for the broker's answer before it fails. */
  answerTimeoutMs: number;
}

/**
 * SARA-R5 / SARA-R410M values (notes §D; the AT manuals' +UMQTT/+UMQTTC limits): hex
 * messages up to 512 bytes, binary publish up to 1024 bytes, text messages up to 1024
 * characters. Name lengths, the store size and the answer timeout are the lab's choice
 * (docs/architecture.md "u-blox MQTT client").
 */
export const saraMqtt: MqttTable = {
  maxClientId: 256,
  maxServerName: 128,
  maxCredential: 256,
  maxTopic: 256,
  maxTextMessage: 1024,
  maxHexMessage: 512,
  maxBinaryMessage: 1024,
  maxWillMessage: 256,
  maxStoredMessages: 64,
  keepAliveRangeS: { min: 0, max: 65535 },
  answerTimeoutMs: 30_000,
};
