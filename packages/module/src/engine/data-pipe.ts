export type { DataPipe, PipeReceiver as DataSink } from '../link/byte-pipe.js';
