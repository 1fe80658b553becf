// Follow-up: open tasks grouped by when they are due, overdue first (Monday-first weeks).

import { dueGroup, type DueGroup } from "./format";

export const dueGroupOrder: DueGroup[] = ["overdue", "today", "week", "later", "none"];

/** Tasks in groups, in `dueGroupOrder`, leaving out empty groups; order within a group kept. */
export function groupByDue<T extends { due?: string | null }>(
  tasks: T[],
  todayDate: string,
): { group: DueGroup; tasks: T[] }[] {
  const groups = new Map<DueGroup, T[]>(dueGroupOrder.map((g) => [g, []]));
  for (const task of tasks) groups.get(dueGroup(task.due ?? null, todayDate))?.push(task);
  return dueGroupOrder
    .map((group) => ({ group, tasks: groups.get(group) ?? [] }))
    .filter((g) => g.tasks.length > 0);
}
