/**
 * Map `items` through `task` with at most `concurrency` tasks in flight, keeping input order in the result.
 * `task` should not reject; a rejection rejects the whole map (callers turn failures into values first).
 */
export async function mapWithConcurrency<T, R>(input: {
  items: readonly T[];
  concurrency: number;
  task: (item: T) => Promise<R>;
}): Promise<R[]> {
  const results = new Array<R>(input.items.length);
  const queue = input.items.map((item, index) => ({ item, index }));
  const lane = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) results[job.index] = await input.task(job.item);
  };
  const lanes = Math.max(1, Math.min(Math.floor(input.concurrency), input.items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
