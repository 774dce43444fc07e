/**
 * The benchmark's yardstick: a workflow that does nothing. Started and awaited on the same Temporal server as
 * the real workflows, it measures what Temporal alone costs per workflow, so the recharge rate can be read as a
 * share of what this server could do at best. Its own bundle and task queue: never part of the product.
 */
export async function emptyWorkflow(): Promise<void> {}
