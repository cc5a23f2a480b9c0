/** The built-in demo configuration that `switchboard serve` uses when no config file is given. */

import type { ConfigInput } from './config-schema.js';

/**
 * Two agents of a shopping assistant behind one route, served by built-in LLM simulators
 * on loopback so the real upstream HTTP path runs without any model backend. Order support
 * looks orders up with an HTTP tool backed by the demo order service (in process, on loopback);
 * shopping advice answers from the `catalogue` knowledge base (the product catalogue and FAQ
 * that ship in the repository) and cites the passages it was given.
 */
export const demoConfig: ConfigInput = {
  simulator: { instances: 2, ttftMs: 300, itlMs: 15, outputTokens: 48, seed: 1 },
  pools: {
    simulator: {
      provider: 'openai',
      model: 'switchboard-sim',
      instances: [{ url: 'simulator://0' }, { url: 'simulator://1' }],
      prices: { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 },
    },
  },
  routes: {
    demo: { description: 'The demo assistant model (built-in simulator).', pool: 'simulator' },
  },
  agents: {
    'order-support': {
      description: 'Order status, shipping, returns and refunds.',
      route: 'demo',
      intent: 'order_support',
      systemPrompt: 'You are the order support agent of an online shop. Help with order status, delivery, returns and refunds. Be brief.',
      keywords: ['order', 'orders', 'shipping', 'delivery', 'delivered', 'package', 'parcel', 'tracking', 'refund', 'return', 'cancel', 'invoice'],
      patterns: ['\\border\\s*#?\\s*\\d{3,}', '\\bwhere(?:\'s| is) my\\b'],
      examples: ['Where is my order 12345?', 'I want to return these shoes', 'My package never arrived'],
      tools: [
        {
          kind: 'http',
          name: 'lookup_order',
          description: 'Look up an order by its number: status, carrier, items and delivery date.',
          parameters: {
            type: 'object',
            properties: { order_id: { type: 'string', pattern: '^[0-9]{3,12}$', description: 'The order number, digits only.' } },
            required: ['order_id'],
            additionalProperties: false,
          },
          url: 'demo-orders://orders/lookup',
        },
      ],
      limits: { maxSteps: 3, turnDeadlineMs: 30_000 },
    },
    'shopping-advice': {
      description: 'Product advice and recommendations.',
      route: 'demo',
      intent: 'shopping_advice',
      systemPrompt: 'You are the shopping advisor of an online shop. Recommend products and compare options. Be brief.',
      keywords: ['recommend', 'suggest', 'best', 'compare', 'cheaper', 'gift', 'size', 'looking for', 'which', 'deal', 'sale'],
      patterns: ['\\b(?:should i|what|which) (?:buy|get|choose)\\b'],
      examples: ['Can you recommend running shoes?', 'Which laptop is best for students?'],
      retrieval: { kb: 'catalogue', topK: 3, mode: 'prompt' },
    },
  },
  intent: { defaultAgent: 'shopping-advice', threshold: 0.5 },
};
