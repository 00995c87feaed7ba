/**
 * Runs `fn` over `items` with at most `limit` in flight, keeping order. A failure is kept in its
 * slot as an Error (the DataLoader batch contract), never thrown.
 */
export async function mapSettled<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<(R | Error)[]> {
  const results = new Array<R | Error>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!);
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
