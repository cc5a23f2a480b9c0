/** The tier of a key created without one: route rules and `limits.tiers` may name it without declaring it. */
export const defaultKeyTier = 'standard';
