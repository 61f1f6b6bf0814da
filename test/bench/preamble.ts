/** The opening of docs/benchmarks.md (the rest is generated from the figures). */
export const PREAMBLE = `
Written by \`npm run bench\` (test/bench/run.ts); do not edit by hand: re-run the benchmark instead
(\`npm run bench -- --only <figure>\` refreshes one figure and keeps the others). Benchmarks are not
tests: nothing here runs in CI, and a missed target is reported, not failed.

Everything runs on this machine against local stand-ins: the library sandbox (the project's fake of the
MyLibrary v2 API, with its rate limits and asynchronous processing), fauxqs (S3 and SQS), DynamoDB Local
and the EventBridge and Secrets Manager stand-ins. Each figure stands beside a baseline measured in the
same run; figures are medians of repeated runs where that is affordable. Absolute times depend on the
machine (shared with other work while these ran): read the ratios first.

The key's limits the pipeline is built around: **4 requests per second** and **10,000 requests per day**
per API key (see docs/library-api.md, "Limits"); uploads, status checks and file reads all count.

Options: \`--quick\` (smaller N, for development; writes to the temp directory unless \`--out\` is given),
\`--only <figure>[,<figure>]\` (ids: requests-per-file, backlog, backlog-real-link, streaming-memory, copy-speed, cold-start,
time-to-event, event-lag, cost, backfill), \`--out FILE\`, \`--no-write\`.
`;
