/** What the simulator's schema values draw on: which property names take which words of the message, and stand-in values per string format. */

// Property names (their words as wordKey gives them) whose value is an identifier or a number the user typed.
export const ID_WORDS = new Set(['id', 'ids', 'number', 'num', 'no', 'code', 'sku', 'zip', 'zipcode', 'postcode', 'phone', 'ref', 'reference', 'tracking', 'isbn']);
// Property names that take the user's words as they are.
export const QUERY_WORDS = new Set(['query', 'q', 'search', 'text', 'message', 'question', 'prompt', 'input', 'content', 'body', 'comment', 'note', 'request', 'keyword', 'term', 'topic']);
// Property names that take a proper noun.
export const NAME_WORDS = new Set(['name', 'city', 'location', 'place', 'country', 'destination', 'origin', 'address', 'region', 'state', 'person', 'customer', 'author', 'brand', 'company', 'town']);
// Numeric property names that take a number the user typed.
export const COUNT_WORDS = new Set(['quantity', 'qty', 'count', 'amount', 'limit', 'age', 'year', 'size', 'page', 'price', 'total', 'max', 'min', 'budget', 'day', 'night', 'guest', 'people', 'number', 'id', 'num']);

export const FIXED_FORMATS: Record<string, string> = {
  'date-time': '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  uri: 'https://example.com/',
  iri: 'https://example.com/',
  url: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  'iri-reference': 'https://example.com/',
  'uri-template': 'https://example.com/',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  duration: 'P1D',
  regex: '.*',
  'json-pointer': '/simulated',
  'relative-json-pointer': '0',
};

// Where a message already holds a value of the format, it is used.
export const FORMAT_IN_MESSAGE: Record<string, RegExp> = {
  date: /\b\d{4}-\d{2}-\d{2}\b/,
  'date-time': /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\b/,
  email: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/,
  uri: /\bhttps?:\/\/[^\s"'<>]+[^\s"'<>.,;:!?)]/,
  url: /\bhttps?:\/\/[^\s"'<>]+[^\s"'<>.,;:!?)]/,
};
