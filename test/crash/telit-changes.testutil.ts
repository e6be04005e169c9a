/**
 * The persistent changes the Telit crash writer makes (issue 15 item 7 made #SSLCFG and
 * #SSLSECCFG persistent; the security data already was): change i writes a value derived
 * from i, so after a kill the test knows what each setting may hold.
 */
export type TelitChangeKind = 'sslcfg' | 'sslseccfg' | 'secdata';
const KINDS: TelitChangeKind[] = ['sslcfg', 'sslseccfg', 'secdata'];

export interface TelitChange {
  kind: TelitChangeKind;
  /** The AT command that makes the change (secdata: the certificate's index, sent by #SSLSECDATA). */
  line: string;
  /** What the read form reports once the change is in: the value as the test observes it. */
  value: string;
}

export function telitChangeOf(i: number): TelitChange {
  const kind = KINDS[i % KINDS.length]!;
  if (kind === 'sslcfg') {
    const pktSz = 1 + (i % 1500);
    return { kind, line: `AT#SSLCFG=1,1,${pktSz},90,100,50,0\r`, value: String(pktSz) };
  }
  if (kind === 'sslseccfg') {
    const value = `${i % 4},${Math.floor(i / 4) % 3}`;
    return { kind, line: `AT#SSLSECCFG=1,${value}\r`, value };
  }
  return { kind, line: '', value: String(i % 3) };
}
