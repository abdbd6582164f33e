import { explainText } from '../../sql/explain.ts';
import type { NodeId } from '../../types.ts';
import type { Assignment } from './assignChunks.ts';
import type { DistributedPlan } from './splitPlan.ts';

export interface ExplainInput {
  plan: DistributedPlan;
  /** The first assignment of each stage, by stage id. */
  assignments: ReadonlyMap<string, Assignment>;
  self: NodeId;
  /** Dataset names by id, for the unavailable line. */
  datasetName: (id: string) => string;
}

/**
 * EXPLAIN of a distributed query (DESIGN §10): the coordinator's plan, then each stage with one
 * line per fragment (its executor, chunk count, rows scanned, estimated rows out and bytes read)
 * and the fragment plan, the broadcasts, pruned chunks, and chunks without a live holder.
 */
export function explainDistributed(x: ExplainInput): string {
  const { plan, assignments, self } = x;
  const nodes = new Set<NodeId>();
  let fragments = 0;
  let read = 0;
  let total = 0;
  for (const s of plan.stages) {
    read += s.scan.chunks.length;
    total += s.scan.totalChunks;
    for (const n of assignments.get(s.id)?.byNode.keys() ?? []) {
      nodes.add(n);
      fragments++;
    }
  }
  const who = (n: NodeId) => (n === self ? `${n} (this node)` : n);
  const indent = (text: string, by: string) =>
    text
      .split('\n')
      .map((l) => by + l)
      .join('\n');
  const lines: string[] = [
    `Distributed plan: ${plural(fragments, 'fragment')} in ${plural(plan.stages.length, 'stage')} on ${plural(nodes.size, 'node')}; ` +
      `${read} of ${total} chunks read, ${total - read} pruned by zone maps`,
    `Coordinator ${who(self)}:`,
    indent(explainText(plan.root), '  '),
  ];
  const missing = new Map<string, number>();
  for (const s of plan.stages) {
    const a = assignments.get(s.id);
    const rows = s.scan.chunks.reduce((t, c) => t + c.rows, 0);
    lines.push(
      `Stage ${s.id}: ${s.label} over ${s.scan.table}, ${plural(s.scan.chunks.length, 'chunk')} of ${s.scan.totalChunks}` +
        (s.rowCap !== null ? `, stops early after ${s.rowCap} rows` : '') +
        (s.broadcasts.length ? `, reads broadcast ${s.broadcasts.join(', ')}` : ''),
    );
    let k = 0;
    for (const [node, chunks] of a?.byNode ?? []) {
      const r = chunks.reduce((t, c) => t + c.rows, 0);
      const bytes = chunks.reduce((t, c) => t + c.bytes, 0);
      const out = rows > 0 ? Math.max(r > 0 ? 1 : 0, Math.round((s.plan.estRows * r) / rows)) : 0;
      lines.push(
        `  Fragment ${s.id}.${++k} on ${who(node)}: ${plural(chunks.length, 'chunk')}, ${r} rows scanned, ` +
          `estRows out: ${out}, estBytes read: ${formatBytes(bytes)}`,
      );
    }
    if (a && a.unavailable.length > 0) {
      const name = x.datasetName(s.scan.dataset);
      missing.set(name, (missing.get(name) ?? 0) + a.unavailable.length);
      lines.push(`  ${plural(a.unavailable.length, 'chunk')} with no live holder`);
    }
    lines.push('  Fragment plan:', indent(explainText(s.plan), '    '));
  }
  for (const b of plan.broadcasts) {
    lines.push(
      `Broadcast ${b.id} (estBytes ≤ ${formatBytes(b.estBytes)}), computed here and sent with each fragment that reads it:`,
    );
    lines.push(indent(explainText(b.plan), '  '));
  }
  for (const [name, n] of missing)
    lines.push(`Unavailable: dataset "${name}": ${plural(n, 'chunk')} with no live holder`);
  return lines.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
