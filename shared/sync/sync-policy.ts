/**
 * What the pipeline does to the library when the bucket changes under a key it uploaded (one policy per
 * stage, from the typed stage config). docs/pipeline.md, "Sync", describes the states and the choices.
 */

/** `replace`: once a new version of a key is Active, the previous version's file goes to the Trash. */
export const OVERWRITE_POLICIES = ['replace', 'keep'] as const;
/** `trash`: when a key is deleted from the bucket, its library file goes to the Trash. */
export const DELETE_POLICIES = ['trash', 'keep'] as const;

export type OverwritePolicy = (typeof OVERWRITE_POLICIES)[number];
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

/** A stage's sync policy. */
export interface SyncPolicy {
  onOverwrite: OverwritePolicy;
  onDelete: DeletePolicy;
}

/** Nothing is ever deleted: the behaviour before sync existed, and the default when unset. */
export const KEEP_EVERYTHING: SyncPolicy = { onOverwrite: 'keep', onDelete: 'keep' };
