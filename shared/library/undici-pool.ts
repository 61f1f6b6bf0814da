/**
 * undici's `Pool` with its `request()` method, without the rest of the package.
 *
 * `import { Pool } from 'undici'` loads undici's index, which requires every part of the package
 * (fetch, WebSocket, EventSource, the HTTP cache, the mock agents, the proxy agents…): about 720 KiB of
 * each minified Lambda bundle, parsed on every cold start. The client needs a keep-alive Pool and
 * `request()`. This module loads exactly those, wiring them the way undici's index does (the API
 * methods live on `Dispatcher.prototype`), which keeps about 460 KiB (mostly the llhttp parser).
 *
 * undici 8 publishes no `exports` map, so these paths are files of the package like any other; the
 * unit test `undici-pool.test.ts` checks that they are the very classes undici's index exports, so a
 * reorganisation in a future undici fails a test rather than a deployment.
 */
import type { Pool as UndiciPool } from 'undici';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import request from 'undici/lib/api/api-request.js';

if (typeof (Dispatcher.prototype as { request?: unknown }).request !== 'function') {
  Object.assign(Dispatcher.prototype, { request });
}

export const Pool: typeof UndiciPool = PoolClass;
export type Pool = UndiciPool;
