import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of docs/ARCHITECTURE.md, checked on the source itself:
 * no import cycles between modules, and none between the layer folders of src/.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!.replace(/\.ts$/, '');
}

/** Returns one cycle (as a list of nodes) in the directed graph, or null. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

describe('import graph of src/', () => {
  const files = sourceFiles(SRC);
  const modules = new Map(files.map((f) => [f, new Set(importsOf(f))]));

  it('finds the modules it checks', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...modules.values()].some((deps) => deps.size > 0)).toBe(true);
  });

  it('has no cycle between modules', () => {
    const cycle = findCycle(modules);
    expect(cycle?.map((f) => path.relative(SRC, f)) ?? null).toBeNull();
  });

  it('has no cycle between layers', () => {
    const layers = new Map<string, Set<string>>();
    for (const [file, deps] of modules) {
      const from = layerOf(file);
      const set = layers.get(from) ?? new Set<string>();
      for (const dep of deps) if (layerOf(dep) !== from) set.add(layerOf(dep));
      layers.set(from, set);
    }
    expect(findCycle(layers)).toBeNull();
  });

  it('keeps the composition root the only importer of main.ts', () => {
    const importersOfMain = [...modules].filter(([, deps]) => deps.has(path.join(SRC, 'main.ts')));
    expect(importersOfMain).toEqual([]);
  });
});
