// Imported first by the pipeline tests: the Powertools singletons read these when they are created.
// Metrics off (EMF lines on stdout would drown the report); logs at WARN unless asked otherwise.
process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
process.env['POWERTOOLS_LOG_LEVEL'] ??= process.env['PIPELINE_TEST_LOG_LEVEL'] ?? 'ERROR';
process.env['POWERTOOLS_SERVICE_NAME'] ??= 'pipeline-test';
