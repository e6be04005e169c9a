import type { MqttQos } from './profile.js';

export interface MqttMessage {
  topic: string;
  qos: MqttQos;
  retain: boolean;
  payload: Buffer;
}

/**
 * Messages received and not yet read by the host (+UMQTTC=6), oldest first. Beyond the
 * product's capacity the oldest unread one is dropped: a module has a fixed buffer.
 */
export class MessageStore {
  private readonly messages: MqttMessage[] = [];

  constructor(private readonly capacity: number) {}

  get unread(): number {
    return this.messages.length;
  }

  add(message: MqttMessage): void {
    this.messages.push(message);
    if (this.messages.length > this.capacity) this.messages.shift();
  }

  /** Takes the oldest message, or all of them. */
  take(all: boolean): MqttMessage[] {
    return all ? this.messages.splice(0) : this.messages.splice(0, 1);
  }

  clear(): void {
    this.messages.length = 0;
  }
}
