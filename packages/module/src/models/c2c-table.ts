/**
 * Chip-to-chip security (+USECC2C) per product. Sources (docs/architecture.md, "C2C"):
 * - Seed 001 §5 feature table: local chip-to-chip security is marked for one product only,
 *   and §5.1 names it "the module (SARA-R5)"; ubxlib gives the C2C feature to SARA-R5 only
 *   (notes/c2c-and-host-libraries.md §0). So SARA-R4 has no row and no +USECC2C.
 * - Seed 001 §5.1: V1 in "the first releases of SARA-R5 00B", V2 "for all further
 *   products"; ubxlib PR #422 tested V2 (with the confirmation step) on SARA-R510M8S-01B FW
 *   03.15, the revision our SARA-R5 reports: V2.
 * - Seed 001 §5.1.2-5.1.6: up to 8 TE secrets; pairing before bootstrap is a trial "for
 *   about 50 operations"; the grace period allows C2C open/close 100 times.
 */
import type { C2cVersion } from '@modemlab/at';

export interface C2cTable {
  /** The frame protocol: 1 (SARA-R5 00B), 2 (everything after; pairing adds a confirmation). */
  version: C2cVersion;
  /** TE secret / terminal combinations the module keeps. */
  maxPairings: number;
  /** Pairings allowed before bootstrap (the trial). */
  gracePairings: number;
  /** Opens and closes allowed before bootstrap (each costs one). */
  graceOpenClose: number;
}

export const saraR5C2c: C2cTable = { version: 2, maxPairings: 8, gracePairings: 50, graceOpenClose: 100 };

/** SARA-R5 00B firmware (V1 frames, no confirmation step): a row for a product variant or a test. */
export const saraR5v1C2c: C2cTable = { ...saraR5C2c, version: 1 };
