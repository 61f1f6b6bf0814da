/**
 * The MyLibrary client's public surface: `createLibraryClient`, the contract types and the typed errors.
 * The other modules are internals, exported here only where a caller or a test has a real use for them.
 */
export {
  createLibraryClient,
  fileIdFromLocation,
  chunkStatusIds,
  uploadCertainlyNotStored,
  DEFAULT_STATUS_CHUNK_SIZE,
  MAX_STATUS_IDS_PATH_LENGTH,
} from './client.ts';
export { DEFAULT_TIMEOUTS, DEFAULT_CONNECTIONS } from './http.ts';
export { redactUrl, redactText } from './redact.ts';
export { parseApiErrors, OVER_QPS_KEY, OVER_RATE_KEY } from './error-mapping.ts';
export * from './errors.ts';
export * from './types.ts';
