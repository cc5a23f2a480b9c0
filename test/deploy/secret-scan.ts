/** Tells a committed placeholder from something that looks like a real secret, for manifests that ship Secrets. */

const knownKeyShapes: [string, RegExp][] = [
  ['an OpenAI-style API key', /\bsk-[A-Za-z0-9_-]{16,}/],
  ['an Anthropic API key', /\bsk-ant-[A-Za-z0-9_-]{16,}/],
  ['an AWS access key id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{20,}/],
  ['a Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./],
];

/** The marker every committed secret value carries, so a reader (and this check) sees it is not real. */
export const placeholderMarker = 'replace-me';

/** Why `value` may be a real secret, or undefined when it is plainly a placeholder. */
export function secretValueProblem(key: string, value: string): string | undefined {
  for (const [what, shape] of knownKeyShapes) if (shape.test(value)) return `${key} looks like ${what}`;
  // Credentials inside a URL (redis://user:password@host) count unless they are the marker.
  const credentials = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(value)?.[1];
  if (credentials && !credentials.toLowerCase().includes(placeholderMarker)) return `${key} has credentials in its URL`;
  // A long run of mixed letters and digits is what generated secrets look like.
  for (const run of value.match(/[A-Za-z0-9+/_=-]{24,}/g) ?? []) {
    if (/[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run)) return `${key} holds a long random-looking string`;
  }
  if (!value.toLowerCase().includes(placeholderMarker)) return `${key} is not marked as a placeholder ("${placeholderMarker}")`;
  return undefined;
}
