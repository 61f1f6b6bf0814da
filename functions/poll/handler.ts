// Placeholder entry point so the CDK app can bundle while the poll function is being built.
export const handler = async (): Promise<never> => {
  throw new Error('poll handler not implemented yet');
};
