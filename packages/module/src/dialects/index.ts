import type { DialectId } from '../models/types.js';
import { quectelDialect } from './quectel/index.js';
import { telitDialect } from './telit/index.js';
import type { Dialect } from './types.js';
import { ubloxDialect } from './ublox/index.js';

const DIALECTS: Readonly<Record<DialectId, Dialect>> = {
  ublox: ubloxDialect,
  telit: telitDialect,
  quectel: quectelDialect,
};

/**
 * The handlers of the AT language a model table names. Models are data and import no
 * code; the composition root (module.ts) joins a table to its dialect here.
 */
export function dialectOf(id: DialectId): Dialect {
  return DIALECTS[id];
}
