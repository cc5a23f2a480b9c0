// What the bundles give zod for its `locales` namespace: English only, the one zod itself
// configures and Switchboard's errors use. The full namespace is ~40 languages, 38% of zod's code.
export { default as en } from 'zod/v4/locales/en.js';
