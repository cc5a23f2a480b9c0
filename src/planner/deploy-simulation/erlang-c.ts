/** Erlang C: the M/M/c queue's waiting probability and mean wait, the closed form a pod's queue is checked against. */

/** Probability that an arrival waits, for `servers` servers offered `offeredLoad` = λ/μ erlangs (must be below `servers`). */
export function erlangCWaitProbability(servers: number, offeredLoad: number): number {
  if (!Number.isInteger(servers) || servers < 1) throw new RangeError('servers must be a positive integer');
  if (offeredLoad < 0 || offeredLoad >= servers) throw new RangeError('offered load must be below the server count for a stable queue');
  // Erlang B by its stable recurrence, then C from B.
  let erlangB = 1;
  for (let count = 1; count <= servers; count++) erlangB = (offeredLoad * erlangB) / (count + offeredLoad * erlangB);
  const utilisation = offeredLoad / servers;
  return erlangB / (1 - utilisation + utilisation * erlangB);
}

/** Mean time in queue over all arrivals: P(wait) / (cμ − λ), in the unit of `meanServiceTime`. */
export function erlangCMeanWait(servers: number, offeredLoad: number, meanServiceTime: number): number {
  const serviceRate = 1 / meanServiceTime;
  const arrivalRate = offeredLoad * serviceRate;
  return erlangCWaitProbability(servers, offeredLoad) / (servers * serviceRate - arrivalRate);
}
