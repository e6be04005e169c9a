/**
 * The sequence of persistent changes the crash writer makes: change i writes version i
 * into one slot of one kind of state, so after a kill the test knows, for every slot,
 * which versions may be there (the last acknowledged one, or the one in flight).
 */
import { createHash } from 'node:crypto';

export type ChangeKind = 'certificate' | 'file' | 'security-profile' | 'mqtt-profile' | 'mqttsn-profile';
const KINDS: ChangeKind[] = ['certificate', 'file', 'security-profile', 'mqtt-profile', 'mqttsn-profile'];
/** Changes 0..SLOT_CHANGES-1 touch every slot of every kind. */
export const SLOT_CHANGES = KINDS.length * 3;

export interface Change {
  kind: ChangeKind;
  /** Certificate name, file name, profile number; the MQTT and MQTT-SN profiles have one slot each. */
  slot: string;
  version: number;
}

export function changeOf(i: number): Change {
  const kind = KINDS[i % KINDS.length]!;
  const n = Math.floor(i / KINDS.length) % 3;
  const slot = kind === 'certificate' ? `crash-ca${n}` : kind === 'file' ? `crash-f${n}` : kind === 'security-profile' ? String(n) : '0';
  return { kind, slot, version: i };
}

/** A file whose content says its version and checks itself: large enough to tear if it could. */
export function fileBody(version: number): Buffer {
  const head = Buffer.from(`version ${version};`);
  const fill = Buffer.alloc(20_000 + (version % 5) * 7_000, version % 251);
  const sum = createHash('sha256').update(head).update(fill).digest('hex');
  return Buffer.concat([head, fill, Buffer.from(`;${sum}`)]);
}

export const slotKey = (c: Change): string => `${c.kind}:${c.slot}`;
