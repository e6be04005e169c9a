/**
 * 27.010 multiplexer (+CMUX) per product. Sources (see docs/architecture.md, "CMUX"):
 * - SARA-R4 AT manual (UBX-17003787) 3.1: +CMUX syntax, N1 1-1509 default 31, T1/T2 fixed
 *   at 253/254 in the read answer, the test answer `(0),(0),,(1-1509),(1-255),(0-5),(2-255),,`;
 *   SARA-R410M-02B and later: channel 0 control, 1-2 AT, 3 GNSS tunneling.
 * - SARA-R5: the u-blox multiplexer note (UBX-13001887) groups it with the SARA-U2 /
 *   LISA-U2 families (channels 1-5 AT and data, 6 GNSS tunneling): inferred, same command.
 * - Telit GE910/HE910: the CMUX user guides give four full DLCIs, each with its own AT
 *   settings and URC settings; the +CMUX parameter ranges are inferred from 27.007.
 * - Quectel BC66: its AT manual has no +CMUX, so no row.
 */
export interface MuxTable {
  /** AT channels are DLCI 1..maxDlci; a SABM beyond gets DM (GNSS tunneling is not emulated). */
  maxDlci: number;
  /** N1 when +CMUX gives none. */
  n1Default: number;
  /** Largest N1 +CMUX accepts. */
  n1Max: number;
  /** The +CMUX=? answer. */
  testResponse: string;
  /** The +CMUX? answer while the mux runs; `{N1}` is the N1 in use. */
  readTemplate: string;
}

const UBLOX_TEST = '+CMUX: (0),(0),,(1-1509),(1-255),(0-5),(2-255),,';
const UBLOX_READ = '+CMUX: 0,0,0,{N1},253,3,254,0,0';

export const saraR5Mux: MuxTable = { maxDlci: 5, n1Default: 31, n1Max: 1509, testResponse: UBLOX_TEST, readTemplate: UBLOX_READ };

export const saraR410mMux: MuxTable = { maxDlci: 2, n1Default: 31, n1Max: 1509, testResponse: UBLOX_TEST, readTemplate: UBLOX_READ };

export const telitMux: MuxTable = {
  maxDlci: 4,
  n1Default: 31,
  n1Max: 1509,
  testResponse: '+CMUX: (0),(0),(0-7),(1-1509),(1-255),(0-100),(2-255),(1-255),(1-7)',
  readTemplate: '+CMUX: 0,0,0,{N1},10,3,30,10,0',
};
