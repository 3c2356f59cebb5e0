// The dashboard's browser script (assets/app.js), read once at startup and served as /dashboard/app.js.
import { readFileSync } from 'node:fs';

export const DASHBOARD_SCRIPT = readFileSync(new URL('./assets/app.js', import.meta.url), 'utf8');
