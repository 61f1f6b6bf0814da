export { objectIdOf } from '../record/object-id.ts';
export {
  createUploadsTable,
  createLimitsTable,
  BY_LIBRARY_FILE_ID_INDEX,
  UPLOADS_INDEXES,
  UPLOADS_TABLE_KEY,
  LIMITS_TABLE_KEY,
  TTL_ATTRIBUTE,
} from './tables.ts';
export type { UploadsIndex } from './tables.ts';
export { UploadsStore, LeaseLostError } from './uploads-store.ts';
export type {
  RecordGuard,
  UploadsStoreOptions,
  AttemptDetails,
  FinalDetails,
  ClaimOutcome,
  LeaseOutcome,
  FinalOutcome,
  ProgressOutcome,
} from './uploads-store.ts';
