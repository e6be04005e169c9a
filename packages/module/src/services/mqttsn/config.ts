/** The MQTT-SN client's configuration (+UMQTTSN), vendor-neutral. */
export interface MqttSnConfig {
  clientId: string;
  /** A name (resolved by the module) or an address. */
  server: string;
  port: number;
  willQos: 0 | 1 | 2;
  willRetain: boolean;
  willTopic: string;
  willMessage: string;
  /** Keep-alive (CONNECT Duration), seconds. */
  duration: number;
  secure: boolean;
  securityProfile: number;
  cleanSession: boolean;
}

/**
 * Defaults. The port is Thingstream's MQTT-SN port 2442 (2443 with DTLS), since the u-blox
 * module is made for those gateways; a lab gives its own gateway's port explicitly.
 */
export function defaultMqttSnConfig(clientId: string): MqttSnConfig {
  return { clientId, server: '', port: 2442, willQos: 0, willRetain: false, willTopic: '', willMessage: '', duration: 600, secure: false, securityProfile: 0, cleanSession: true };
}

export const MQTTSN_SECURE_PORT = 2443;
