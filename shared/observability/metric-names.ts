/**
 * The pipeline's CloudWatch metric names, in one place so dashboards, alarms (infra/) and the functions
 * cannot drift apart. Each comment names the dimension the metric is emitted with, if any.
 */
export const METRIC = {
  /** One per HTTP request to the library API. Dimension `operation` (a LibraryOperation). */
  ApiRequests: 'ApiRequests',
  /** 403 over-limit answers from the API. Dimension `scope`: `second` or `day`. */
  ApiThrottled: 'ApiThrottled',
  /** 401 answers: the stored credentials are wrong or revoked. Alarm on any. */
  ApiUnauthorized: 'ApiUnauthorized',
  /** S3 object versions claimed by ingest (duplicates excluded). */
  FilesReceived: 'FilesReceived',
  /** Uploads the API accepted (202). */
  FilesSubmitted: 'FilesSubmitted',
  /** Records that reached a final status. Dimension `status` (a FinalStatus). */
  FilesFinal: 'FilesFinal',
  /** Files refused before upload. Dimension `reason` (a short error key). */
  FilesRejected: 'FilesRejected',
  /** Milliseconds from Received to the final status. */
  TimeToFinal: 'TimeToFinal',
  /** Events accepted by EventBridge. */
  EventsPublished: 'EventsPublished',
  /** Events EventBridge still refused after every retry (their stream records are retried). */
  EventsFailed: 'EventsFailed',
} as const;

/** One of the pipeline's metric names. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Dimension names used with the metrics above. */
export const METRIC_DIMENSION = {
  operation: 'operation',
  scope: 'scope',
  status: 'status',
  reason: 'reason',
} as const;
