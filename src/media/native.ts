import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Loads the native audio core (built by `npm run setup` with node-gyp).
 * The shape of each export is declared by the module that wraps it.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const addonPath = path.resolve(here, '../../build/Release/firstring_native.node');

export const native: Record<string, unknown> = createRequire(import.meta.url)(addonPath);
