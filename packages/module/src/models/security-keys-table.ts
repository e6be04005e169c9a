/**
 * The RoT key services of a product (seed 001 §5.2, §6, §7; notes/security-service.md
 * §1.4-1.6, §1.8): local data protection, RoT PSK, end-to-end encryption and the ZTP
 * credentials. Products without a row have none of these commands.
 */
export interface SecurityKeysTable {
  /** Largest plaintext (or blob) +USECDATAENC/DEC and +USECE2EDATAENC take at the prompt. */
  maxData: number;
  /** Largest file the file variants read. */
  maxFile: number;
  /** Guard timer of the data prompts (no input for this long drops the command). */
  promptGuardMs: number;
  /** E2E format a fresh module uses (+USECOPCMD="e2e_enc": 0 = V1, 1 = V2). */
  e2eDefaultVersion: 1 | 2;
  /** E2E formats the product can produce. */
  e2eVersions: readonly (1 | 2)[];
  /**
   * +USECDEVCERT=<type> numbering. The seed (seed 001 §7.1.4) numbers 0 check, 1 CA
   * certificate, 2 device certificate, 3 private key; u-blox's C host library for the
   * SARA-R5 (ubxlib, notes §1.6) sends 0 key, 1 certificate, 2 CA chain. `check` is
   * absent where the product has no check type.
   */
  devCert: { check?: number; key: number; certificate: number; caChain: number };
}

/** The ubxlib numbering (0 key, 1 certificate, 2 CA chain): what a SARA-R5 host library expects. */
export const UBXLIB_DEVCERT = { key: 0, certificate: 1, caChain: 2 } as const;
/** The seed's numbering (0 check, 1 CA, 2 certificate, 3 key). */
export const SEED_DEVCERT = { check: 0, caChain: 1, certificate: 2, key: 3 } as const;

const common = { maxData: 8192, maxFile: 65536, promptGuardMs: 20_000, e2eDefaultVersion: 1, e2eVersions: [1, 2] } as const;

export const saraR5SecurityKeys: SecurityKeysTable = { ...common, devCert: UBXLIB_DEVCERT };

export const saraR4SecurityKeys: SecurityKeysTable = { ...common, devCert: SEED_DEVCERT };
