/**
 * undici's `Pool` with its `request()` method, without the rest of the package: undici's index loads
 * every part (fetch, WebSocket, caches, mocks…), about 720 KiB of each Lambda bundle parsed on every cold
 * start. This loads only what the client uses, wired as the index does (about 460 KiB, mostly llhttp).
 * `undici-pool.test.ts` checks these are the index's own classes, so an undici reorganisation fails a test.
 */
import type { Pool as UndiciPool } from 'undici';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import request from 'undici/lib/api/api-request.js';

if (typeof (Dispatcher.prototype as { request?: unknown }).request !== 'function') {
  Object.assign(Dispatcher.prototype, { request });
}

/** undici's keep-alive Pool, with `request()`. */
export const Pool: typeof UndiciPool = PoolClass;
/** The Pool's instance type. */
export type Pool = UndiciPool;
