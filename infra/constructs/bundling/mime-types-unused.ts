/**
 * Stands in for `mime-types` in the Lambda bundles (see function-bundling.ts): form-data calls `lookup`
 * only for a part without a content type, and every part the client appends has one or is a plain
 * string. `false` is mime-types' own answer for an unknown name, so form-data falls back as it would.
 */
export function lookup(_name: string): false {
  return false;
}

export default { lookup };
