/** The built-in demo configuration that `switchboard serve` uses when no config file is given. */

import type { ConfigInput } from './config-schema.js';
import { demoKnowledgeDirectory } from './demo-knowledge.js';

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
      examples: [
        'Where is my order 12345?',
        'I want to return these shoes',
        'My package never arrived',
        'The parcel says delivered but nothing is at my door',
        'Can I still cancel what I bought this morning?',
        'How long does a refund take to reach my card?',
        'I was charged twice for the same purchase',
        'The jacket came in the wrong colour, how do I send it back?',
        'Can you change the delivery address on my purchase?',
        'The tracking number does not work',
        'I need an invoice for my company',
        'One item was missing from the box',
        'When will my stuff be shipped?',
        'The courier left a note but I was home',
        'My headphones arrived broken',
        'How do I exchange this for a bigger size?',
      ],
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
      // The FAQ's shipping and returns pages in the prompt: a turn looks the order up and cites the policy it answers from.
      retrieval: { kb: 'catalogue', topK: 2, mode: 'prompt' },
    },
    'shopping-advice': {
      description: 'Product advice and recommendations.',
      route: 'demo',
      intent: 'shopping_advice',
      systemPrompt: 'You are the shopping advisor of an online shop. Recommend products and compare options. Be brief.',
      keywords: ['recommend', 'suggest', 'best', 'compare', 'cheaper', 'gift', 'size', 'looking for', 'which', 'deal', 'sale'],
      patterns: ['\\b(?:should i|what|which) (?:buy|get|choose)\\b'],
      examples: [
        'Can you recommend running shoes?',
        'Which laptop is best for students?',
        'What is a good gift for my dad who likes cooking?',
        'Is the blue kettle or the steel one better?',
        'I need a waterproof jacket for hiking under 150',
        'What headphones do you have with noise cancelling?',
        'Do these jeans run small?',
        'Show me phones with a good camera',
        'Which vacuum is quietest?',
        'Any deals on coffee machines this week?',
        'What should I get for a beginner guitarist?',
        'Compare the two tablets for reading',
        'Is this sofa easy to clean with kids?',
        'I am looking for a present for a ten year old',
        'Which mattress helps with back pain?',
        'Do you sell eco friendly yoga mats?',
      ],
      retrieval: { kb: 'catalogue', topK: 3, mode: 'prompt' },
    },
  },
  intent: {
    defaultAgent: 'shopping-advice',
    threshold: 0.5,
    // Local tiers only, so a demo turn makes one model call; demoCascadeConfig adds the model-backed ones.
    tiers: { trained: { threshold: 0.15, margin: 0.05 } },
    outOfScope: {
      examples: [
        'What is the weather tomorrow?',
        'Write me a poem about the sea',
        'Who won the football match yesterday?',
        'Help me with my maths homework',
        'What is the capital of Australia?',
        'Tell me a joke',
        'How do I fix a Python error?',
        'Can you book me a table at a restaurant?',
        'What do you think about the election?',
        'Translate this sentence into French',
      ],
    },
  },
  knowledge: {
    // The shop's catalogue and FAQ, ingested at start (unchanged documents are skipped) and searched with BM25 and the simulator's vectors.
    catalogue: {
      kind: 'embedded',
      description: 'The demo shop: product catalogue and customer FAQ.',
      embeddingsRoute: 'demo',
      // Small chunks, so a citation points at the FAQ paragraph that answers, not the whole page.
      chunking: { maxChars: 400, overlapChars: 80 },
      sources: [demoKnowledgeDirectory()],
    },
  },
};

/**
 * The demo with the whole cascade: the embedding tier and an LLM judge on the demo route (both answered by
 * the simulators), and a clarifying question when no tier is sure. What `intent eval` and the intent
 * benchmark run when no config is given.
 */
export const demoCascadeConfig: ConfigInput = {
  ...demoConfig,
  intent: {
    ...demoConfig.intent!,
    tiers: {
      trained: { threshold: 0.15, margin: 0.05 },
      embedding: { route: 'demo', threshold: 0.5, margin: 0.05, topK: 3 },
      llm: { route: 'demo', threshold: 0.5, timeoutMs: 2000 },
    },
    whenUnsure: { action: 'ask', maxChoices: 2 },
  },
};
