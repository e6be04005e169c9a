export { pacedPipe, type PacingOptions } from '../../link/paced-pipe.js';
