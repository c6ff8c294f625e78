/**
 * A BullMQ flow is a tree: a parent job runs once all its children have finished, and a job has at most one
 * parent. Our dependencies are a DAG (e.g. rl and diagnose both need sft). This turns the DAG into trees that
 * keep every dependency, possibly waiting for more than needed: in dependency order, a job whose dependency
 * is not yet below it adopts the top of that dependency's tree as a child. sft ← {rl, diagnose} thus runs as
 * sft → rl → diagnose; a dependency is never dropped.
 */
import { topologicalOrder, type JobSpec } from './job-spec.ts';

export interface JobNode {
  readonly job: JobSpec;
  readonly children: JobNode[];
}

export function jobTrees(jobs: readonly JobSpec[]): JobNode[] {
  const order = topologicalOrder(jobs);
  const node = new Map(order.map((j) => [j.id, { job: j, children: [] as JobNode[] }]));
  const parent = new Map<string, string>();
  const top = (id: string): string => {
    let at = id;
    while (parent.has(at)) at = parent.get(at)!;
    return at;
  };
  const below = (ancestor: string, id: string): boolean => {
    for (let at: string | undefined = id; at !== undefined; at = parent.get(at)) if (at === ancestor) return true;
    return false;
  };
  for (const j of order) {
    for (const d of j.dependsOn) {
      if (below(j.id, d)) continue;
      const root = top(d);
      parent.set(root, j.id);
      node.get(j.id)!.children.push(node.get(root)!);
    }
  }
  return order.filter((j) => !parent.has(j.id)).map((j) => node.get(j.id)!);
}
