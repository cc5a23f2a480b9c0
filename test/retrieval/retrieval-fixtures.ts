/** A small shop corpus that every retriever test searches: each document has words no other has, so the best hit is known. */

import type { KnowledgeDocument } from '../../src/retrieval/knowledge-document.js';

export const contractDocuments: KnowledgeDocument[] = [
  { id: 'trail-boots', title: 'Ridgeline Trail Boots', text: 'Waterproof leather hiking boots with a Vibram sole. Breathable membrane keeps feet dry on muddy trails. Price 149 EUR.' },
  { id: 'road-runner', title: 'Road Runner 3 Shoes', text: 'Lightweight running shoes for asphalt with a cushioned midsole. Ideal for marathon training. Price 119 EUR.' },
  { id: 'rain-jacket', title: 'Stormshell Rain Jacket', text: 'A packable rain jacket with taped seams and a hood. Windproof and waterproof, folds into its own pocket. Price 89 EUR.' },
  { id: 'espresso', title: 'Barista Espresso Machine', text: 'Fifteen bar pump espresso machine with a steam wand for milk froth and cappuccino. Price 299 EUR.' },
  { id: 'laptop', title: 'Scholar 14 Laptop', text: 'A 14 inch student laptop with twelve hours of battery life, 16 GB memory and a backlit keyboard. Price 749 EUR.' },
  { id: 'faq-returns', title: 'Returns and refunds', text: 'You can return any item within 30 days of delivery. Refunds reach your card within five business days after the parcel arrives at our warehouse.' },
  { id: 'faq-shipping', title: 'Shipping times', text: 'Standard shipping takes two to four business days. Express shipping arrives next day when ordered before 2 pm.' },
  { id: 'headphones', title: 'Quietude Headphones', text: 'Over-ear wireless headphones with active noise cancelling and thirty hours of playback. Price 199 EUR.' },
];

/** Queries and the document that must come first for each. */
export const expectedTopHits: readonly { query: string; documentId: string }[] = [
  { query: 'waterproof hiking boots for muddy trails', documentId: 'trail-boots' },
  { query: 'espresso machine with steam wand', documentId: 'espresso' },
  { query: 'how long do refunds take after I return something', documentId: 'faq-returns' },
  { query: 'noise cancelling headphones', documentId: 'headphones' },
];
