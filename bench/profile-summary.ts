/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the self time per package (node_modules/<name>,
 * the gateway's own dist/src, node internals), the functions with the most self time, and the
 * functions with the most inclusive time (self plus callees). Percentages are of the busy samples
 * (everything but `(idle)`), so a profile of a whole benchmark run still reads as "where the work went".
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const msPerHit = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
const totalHits = profile.samples.length - idle;

/** node_modules/<pkg> (scoped too), the gateway's own code, node internals, or V8 itself. */
function packageOf(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.includes('/dist/src/') || url.includes('/src/')) return '(gateway)';
  if (url.startsWith('node:')) return '(node)';
  return url ? url : '(v8)';
}

const keyOf = ({ callFrame: { functionName, url, lineNumber } }: ProfileNode) => {
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};
const parents = new Map<number, ProfileNode>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (!hits || node.callFrame.functionName === '(idle)') continue;
  const key = keyOf(node);
  byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  byPackage.set(packageOf(node.callFrame.url), (byPackage.get(packageOf(node.callFrame.url)) ?? 0) + hits);
  // Each function on the stack once, however often it recurses.
  const onStack = new Set<string>();
  for (let current: ProfileNode | undefined = node; current; current = parents.get(current.id)) onStack.add(keyOf(current));
  for (const caller of onStack) inclusive.set(caller, (inclusive.get(caller) ?? 0) + hits);
}
inclusive.delete('(root)');

const table = (title: string, entries: Map<string, number>, top: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, hits] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * hits) / totalHits).toFixed(1).padStart(5)}%  ${(hits * msPerHit).toFixed(0).padStart(6)} ms  ${key}\n`);
  }
};
process.stdout.write(`${positionals[0]}: ${profile.samples.length} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, ${(totalHits * msPerHit / 1000).toFixed(1)} s busy\n`);
table('self time by package (% of busy)', byPackage, 20);
table('top self-time functions (% of busy)', byFunction, Number(values.top));
table('top inclusive-time functions (% of busy)', inclusive, Number(values.top));
