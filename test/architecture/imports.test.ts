import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.js';

/** Every .ts file under the roots, with the project files it imports (static imports, type-only included). */
function importGraph(roots: string[]): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  roots.forEach((r) => walk(join(PROJECT_ROOT, r)));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)]
      .map((m) => resolve(dirname(f), m[1]!.replace(/\.js$/, '.ts')))
      .filter((t) => files.includes(t));
    graph.set(relative(PROJECT_ROOT, f), targets.map((t) => relative(PROJECT_ROOT, t)));
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan): each is an import loop. */
function loops(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('no two files import each other, directly or around a loop (src, commands, jobs)', () => {
  const graph = importGraph(['src', 'commands', 'jobs']);
  assert.ok(graph.size > 100, 'the graph was read');
  // The detector finds a loop when there is one.
  assert.equal(loops(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])).length, 1);
  assert.deepEqual(loops(graph), []);
});
