/**
 * The package entry `library-upload-pipeline/events` is self-contained: following its imports reaches
 * only the contract's own files (all listed in package.json `files`) and zod, never the pipeline.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  dependencies: Record<string, string>;
};

/** Every file and bare package the module reaches through its static imports. */
function reach(file: string, files = new Set<string>(), packages = new Set<string>()) {
  if (files.has(file)) return { files, packages };
  files.add(file);
  if (!file.endsWith('.ts')) return { files, packages };
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('.')) reach(resolve(dirname(file), specifier), files, packages);
    else packages.add(specifier);
  }
  return { files, packages };
}

describe('the events package entry', () => {
  const entry = (pkg.exports['./events'] as Record<string, string>)['default'] ?? '';
  const { files, packages } = reach(resolve(ROOT, entry));
  const reached = [...files].map((f) => relative(ROOT, f));

  it('reaches only the contract files, all of them shipped in `files`', () => {
    // Assess
    expect(reached.length).toBeGreaterThan(4);
    for (const file of reached) {
      expect(file.startsWith('shared/events/'), file).toBe(true);
      expect(
        pkg.files.some((listed) => (listed.endsWith('/') ? file.startsWith(listed) : file === listed)),
        file,
      ).toBe(true);
    }
    expect(reached).not.toContain('shared/events/build.ts');
  });

  it('needs no package but zod, a runtime dependency', () => {
    // Assess
    expect([...packages]).toEqual(['zod']);
    expect(pkg.dependencies).toHaveProperty('zod');
  });

  it('exports the normative schema file the entry embeds', () => {
    // Assess
    expect(reached).toContain(pkg.exports['./events/schema.json']?.toString().replace('./', ''));
  });
});
