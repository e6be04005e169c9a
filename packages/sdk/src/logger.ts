/**
 * The logger the SDK accepts: pino's shape (`logger.debug({ command }, 'at command')`), so a
 * pino logger, a pino child or anything with these four methods plugs in.
 */
export interface SdkLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
