import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { CliModule } from './module-api.js';

/**
 * A module whose attach()/detach are logged: one line when a client becomes the UART, one
 * when it leaves, and one when its connection drops (reset, broken pipe) rather than closing.
 * The transports stay unaware of logging: they see the same UartAttachable shape.
 */
export function loggedAttach(module: CliModule, log: Logger, moduleName: string): Pick<CliModule, 'attach'> {
  return {
    attach(stream: Duplex, name?: string): () => void {
      const client = name ?? 'client';
      const detach = (module.attach as (s: Duplex, n?: string) => () => void).call(module, stream, name);
      log.info({ event: 'attach', module: moduleName, client }, `${moduleName}: ${client} attached`);
      const onError = (err: NodeJS.ErrnoException): void => {
        log.warn({ event: 'dropped', module: moduleName, client, error: err.code ?? err.message }, `${moduleName}: ${client} connection dropped (${err.code ?? err.message})`);
      };
      stream.once('error', onError);
      let detached = false;
      return () => {
        if (detached) return;
        detached = true;
        stream.off('error', onError);
        detach();
        log.info({ event: 'detach', module: moduleName, client }, `${moduleName}: ${client} detached`);
      };
    },
  };
}
