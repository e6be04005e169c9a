import type { MqttTable } from '../../models/mqtt-table.js';
import type { NvmStore } from '../../nvm/store.js';

export type MqttQos = 0 | 1 | 2;

/** The one MQTT profile of the module (+UMQTT), in RAM until +UMQTTNV stores it. */
export interface MqttProfile {
  clientId: string;
  /** Broker port; undefined until set, then 1883 (plain) or 8883 (secure) is used. */
  port?: number;
  /** The broker: a name or an address (op 2 and op 3 replace each other). */
  serverName: string;
  serverIp: string;
  username: string;
  password: string;
  willQos: MqttQos;
  willRetain: boolean;
  willTopic: string;
  willMessage: Buffer;
  /** Keep-alive (the manuals' "inactivity timeout"), seconds; 0 = none. */
  keepAliveS: number;
  secure: boolean;
  securityProfile: number;
  cleanSession: boolean;
}

/** A setting the profile refuses (too long, out of range): nothing changed. */
export class MqttConfigError extends Error {}

const NVM_KEY = 'mqtt-profile';

type StoredProfile = Omit<MqttProfile, 'willMessage'> & { willMessage: string };

export function factoryProfile(): MqttProfile {
  return {
    clientId: '', serverName: '', serverIp: '', username: '', password: '',
    willQos: 0, willRetain: false, willTopic: '', willMessage: Buffer.alloc(0),
    keepAliveS: 0, secure: false, securityProfile: 0, cleanSession: true,
  };
}

/**
 * The profile and its NVM copy. Every setter checks first and changes after, so a refused
 * value leaves the profile as it was.
 */
export class MqttProfiles {
  private current = factoryProfile();

  constructor(private readonly table: MqttTable, private readonly nvm: NvmStore) {}

  get(): Readonly<MqttProfile> {
    return this.current;
  }

  /** The port the login dials: the one set, else the protocol's default. */
  effectivePort(): number {
    return this.current.port ?? (this.current.secure ? 8883 : 1883);
  }

  /** The broker host the login dials, '' when none is set. */
  host(): string {
    return this.current.serverName || this.current.serverIp;
  }

  setClientId(id: string): void {
    this.limit(id, this.table.maxClientId, 'client id');
    this.current.clientId = id;
  }

  setPort(port: number): void {
    this.current.port = port;
  }

  setServer(kind: 'name' | 'ip', host: string, port?: number): void {
    this.limit(host, this.table.maxServerName, 'server');
    if (kind === 'ip' && host !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) throw new MqttConfigError(`not an IPv4 address: ${host}`);
    this.current.serverName = kind === 'name' ? host : '';
    this.current.serverIp = kind === 'ip' ? host : '';
    if (port !== undefined) this.current.port = port;
  }

  setCredentials(username: string, password?: string): void {
    this.limit(username, this.table.maxCredential, 'user name');
    if (password !== undefined) this.limit(password, this.table.maxCredential, 'password');
    this.current.username = username;
    this.current.password = password ?? '';
  }

  setWill(part: { qos?: MqttQos; retain?: boolean; topic?: string; message?: Buffer }): void {
    if (part.topic !== undefined) this.limit(part.topic, this.table.maxTopic, 'will topic');
    if (part.message !== undefined && part.message.length > this.table.maxWillMessage) throw new MqttConfigError('will message too long');
    if (part.qos !== undefined) this.current.willQos = part.qos;
    if (part.retain !== undefined) this.current.willRetain = part.retain;
    if (part.topic !== undefined) this.current.willTopic = part.topic;
    if (part.message !== undefined) this.current.willMessage = part.message;
  }

  setKeepAlive(seconds: number): void {
    this.current.keepAliveS = seconds;
  }

  setSecure(secure: boolean, profileId = 0): void {
    this.current.secure = secure;
    this.current.securityProfile = secure ? profileId : 0;
  }

  setCleanSession(clean: boolean): void {
    this.current.cleanSession = clean;
  }

  /** +UMQTTNV=0: the factory profile in RAM (the NVM copy stays). */
  restoreFactory(): void {
    this.current = factoryProfile();
  }

  /** +UMQTTNV=1: the NVM copy in RAM (the factory profile when none was stored). */
  load(): void {
    const stored = this.nvm.read<StoredProfile | null>(NVM_KEY, null);
    this.current = stored ? { ...stored, willMessage: Buffer.from(stored.willMessage, 'base64') } : factoryProfile();
  }

  /** +UMQTTNV=2: the RAM profile to NVM. */
  store(): void {
    this.nvm.write<StoredProfile>(NVM_KEY, { ...this.current, willMessage: this.current.willMessage.toString('base64') });
  }

  private limit(value: string, max: number, what: string): void {
    if (value.length > max) throw new MqttConfigError(`${what} longer than ${max}`);
  }
}
