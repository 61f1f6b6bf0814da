/**
 * A function's own dependencies, built once per runtime: their caches (folder tree, library info,
 * queue URLs) then live as long as the runtime's clients, and a test that swaps the runtime gets new ones.
 */
import type { PipelineRuntime } from './pipeline-runtime.ts';

/** Memoizes `build` per runtime object. */
export function perRuntime<T>(build: (runtime: PipelineRuntime) => T): (runtime: PipelineRuntime) => T {
  const built = new WeakMap<PipelineRuntime, T>();
  return (runtime) => {
    let value = built.get(runtime);
    if (value === undefined) {
      value = build(runtime);
      built.set(runtime, value);
    }
    return value;
  };
}
