/**
 * The JSON blocks of a Markdown document, sorted into what they show: example events (an envelope
 * with a `detail-type`) and event patterns (`source` given as a list). Any other JSON block is an
 * error, so a new kind of block is classified here rather than silently skipped.
 */
export interface DocumentedJson {
  examples: Record<string, unknown>[];
  patterns: Record<string, unknown>[];
}

export function documentedJson(markdown: string): DocumentedJson {
  const found: DocumentedJson = { examples: [], patterns: [] };
  for (const match of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    const block = JSON.parse(match[1] ?? 'null') as Record<string, unknown>;
    if (typeof block['detail-type'] === 'string') found.examples.push(block);
    else if (Array.isArray(block['source'])) found.patterns.push(block);
    else throw new Error(`A JSON block that is neither an example event nor a pattern: ${match[1]?.slice(0, 80)}`);
  }
  return found;
}
