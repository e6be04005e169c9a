import type { DataPipe, PipeReceiver } from '../../link/byte-pipe.js';
import type { ModuleSocket } from './socket-base.js';

/**
 * A socket as an online-mode byte pipe (u-blox direct link, Telit #SSLD online): bytes
 * both ways, what was buffered first. Detached, the socket buffers again as usual; a
 * socket the peer already ended closes the sink once the buffered bytes are out.
 */
export function socketPipe(s: ModuleSocket, send: (bytes: Buffer) => void, drain: () => Buffer[]): DataPipe {
  let mine: PipeReceiver | undefined;
  return {
    write: (bytes) => {
      if (s.released || s.ended) return;
      send(Buffer.from(bytes));
    },
    attach: (sink) => {
      if (s.released) {
        queueMicrotask(() => sink.close());
        return;
      }
      mine = sink;
      s.sink = sink;
      for (const chunk of drain()) sink.data(chunk);
      if (s.ended) {
        queueMicrotask(() => {
          if (s.sink !== sink) return;
          s.sink = undefined;
          sink.close();
          s.finishIfDrained();
        });
      }
    },
    detach: () => {
      if (mine && s.sink === mine) s.sink = undefined;
      mine = undefined;
    },
  };
}
