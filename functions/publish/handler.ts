// Placeholder entry point so the CDK app can bundle while the publish function is being built.
export const handler = async (): Promise<never> => {
  throw new Error('publish handler not implemented yet');
};
