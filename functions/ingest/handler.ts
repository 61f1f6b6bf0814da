// Placeholder entry point so the CDK app can bundle while the ingest function is being built.
export const handler = async (): Promise<never> => {
  throw new Error('ingest handler not implemented yet');
};
