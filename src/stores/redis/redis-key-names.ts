/** Every Redis key the store and the rate limiter use, under one configurable prefix. */

export function redisKeyNames(prefix: string) {
  return {
    prefix,
    session: (id: string) => `${prefix}session:${id}`,
    sessionMessages: (id: string) => `${prefix}session:${id}:messages`,
    sessionTurns: (id: string) => `${prefix}session:${id}:turns`,
    /** JSON `{holder, expiresAt, idempotencyKey?, requestHash?}`: the turn that loaded the session and until when it holds it. */
    sessionLease: (id: string) => `${prefix}session:${id}:lease`,
    /** Sorted set of `<updatedAt padded>#<id>` members, all at score 0, so ZREVRANGEBYLEX lists newest first. */
    tenantSessions: (tenant: string) => `${prefix}tenant:${tenant}:sessions`,
    apiKey: (keyHash: string) => `${prefix}apikey:${keyHash}`,
    apiKeyId: (id: string) => `${prefix}apikey-id:${id}`,
    apiKeyOrder: () => `${prefix}apikeys`,
    liveApiKeys: () => `${prefix}apikeys:live`,
    /** One-time claims (the first admin key), set only if absent. */
    marker: (name: string) => `${prefix}marker:${name}`,
    /** A list of admin actions as JSON, newest at the head. */
    auditLog: () => `${prefix}audit`,
    usage: (tenant: string) => `${prefix}usage:${tenant}`,
    rateBucket: (tenant: string, kind: 'requests' | 'tokens') => `${prefix}rate:${tenant}:${kind}`,
    /** A hash of `c|s|q` + `|<variant>|<metric>` fields: count, sum and sum of squares, added with HINCRBYFLOAT. */
    experimentStats: (experiment: string) => `${prefix}experiment:${experiment}:stats`,
    /** A hash: `revision` and `state` (JSON). */
    experimentControl: (experiment: string) => `${prefix}experiment:${experiment}:control`,
    experimentPin: (experiment: string, unit: string) => `${prefix}experiment:${experiment}:pin:${encodeURIComponent(unit)}`,
    exposure: (id: string) => `${prefix}exposure:${encodeURIComponent(id)}`,
    latestExposure: (tenant: string, sessionId: string) => `${prefix}exposure-of:${encodeURIComponent(tenant)}:${encodeURIComponent(sessionId)}`,
    /** A hash per embedding model: text hash → float32 vector bytes. */
    embeddings: (model: string) => `${prefix}embeddings:${encodeURIComponent(model)}`,
    feedback: (tenant: string, kind: string, id: string, metric: string) => `${prefix}feedback:${encodeURIComponent(tenant)}:${kind}:${encodeURIComponent(id)}:${metric}`,
  };
}

export type RedisKeyNames = ReturnType<typeof redisKeyNames>;

/** Fixed width so that lexical order is numeric order for any millisecond timestamp up to the year 33658. */
export function padMillis(milliseconds: number): string {
  return String(Math.max(0, Math.trunc(milliseconds))).padStart(15, '0');
}
