/**
 * Runs `work` for every job over the sessions, each session taking the next job when it is free.
 * Stops handing out jobs after the first throw, waits for the jobs in flight, then rethrows it.
 * Results come back in the jobs' order. Shared by the verification and structure probes.
 */
export async function runPool<S, J, R>(sessions: readonly S[], jobs: readonly J[], work: (session: S, job: J) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(jobs.length);
  let next = 0;
  let stopped = false;
  const settled = await Promise.allSettled(
    sessions.map(async (session) => {
      while (!stopped && next < jobs.length) {
        const index = next;
        next += 1;
        try {
          results[index] = await work(session, jobs[index] as J);
        } catch (error) {
          stopped = true;
          throw error;
        }
      }
    }),
  );
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results;
}
