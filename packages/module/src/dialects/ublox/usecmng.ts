import { defineCommands } from '../../engine/registry.js';

/** Placeholder: the handlers of this family land with the u-blox security issue. */
export const usecmngCommands = defineCommands(import.meta.url, []);
