import { defineCommands } from '../../engine/registry.js';

/** Placeholder: the handlers of this family land with the u-blox security issue. */
export const usecprfCommands = defineCommands(import.meta.url, []);
