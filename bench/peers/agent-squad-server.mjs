/**
 * An HTTP server around agent-squad's orchestrator, as its docs show it: `AgentSquad` with a
 * custom (keyword) classifier, in-memory chat storage, and `OpenAIAgent`s whose OpenAI client
 * points at the benchmark's OpenAI-compatible mock (MOCK_URL). It speaks the slice of
 * Switchboard's turn API the load generator uses, so both are driven by the same client:
 * POST /v1/sessions -> { id }, POST /v1/sessions/{id}/messages -> { message, agent, usage }.
 */

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import { AgentSquad, Classifier, InMemoryChatStorage, OpenAIAgent } from 'agent-squad';

const port = Number(process.env.PORT ?? 8790);
const mockUrl = process.env.MOCK_URL;
if (!mockUrl) throw new Error('MOCK_URL (the OpenAI-compatible mock, e.g. http://127.0.0.1:9000) is required');

// agent-squad's own copy of the OpenAI SDK, the one its OpenAIAgent is written against.
const OpenAI = createRequire(createRequire(import.meta.url).resolve('agent-squad'))('openai');

/** The docs' custom classifier, with keyword rules: the first agent whose keyword the input contains, else the default. */
class KeywordClassifier extends Classifier {
  constructor(rules, defaultAgentName) {
    super();
    this.rules = rules;
    this.defaultAgentName = defaultAgentName;
  }

  async processRequest(inputText) {
    const text = inputText.toLowerCase();
    const agents = Object.values(this.agents);
    for (const [agentName, keywords] of Object.entries(this.rules)) {
      if (keywords.some((keyword) => text.includes(keyword))) {
        return { selectedAgent: agents.find((agent) => agent.name === agentName) ?? null, confidence: 1 };
      }
    }
    return { selectedAgent: agents.find((agent) => agent.name === this.defaultAgentName) ?? null, confidence: 0.5 };
  }
}

const client = new OpenAI({ apiKey: 'sk-bench', baseURL: `${mockUrl}/v1` });
// The default logger writes an info line per request; Switchboard runs at `warn` in the benchmarks, so this does too.
const warnLogger = { info() {}, debug() {}, log() {}, warn: console.warn, error: console.error };
const orchestrator = new AgentSquad({
  logger: warnLogger,
  storage: new InMemoryChatStorage(),
  classifier: new KeywordClassifier(
    {
      'Order Support': ['order', 'shipping', 'delivery', 'package', 'refund', 'return', 'cancel'],
      'Shopping Advice': ['recommend', 'suggest', 'best', 'compare', 'gift', 'size', 'deal'],
    },
    'Shopping Advice',
  ),
});
orchestrator.addAgent(new OpenAIAgent({ name: 'Order Support', description: 'Order status, shipping, returns and refunds.', client, model: 'switchboard-sim', streaming: false }));
orchestrator.addAgent(new OpenAIAgent({ name: 'Shopping Advice', description: 'Product advice and recommendations.', client, model: 'switchboard-sim', streaming: false }));

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

const messagesPath = /^\/v1\/sessions\/([^/]+)\/messages$/;

const server = http.createServer(async (request, response) => {
  try {
    if (request.method === 'GET' && (request.url === '/healthz' || request.url === '/readyz')) return send(response, 200, { status: 'ok' });
    if (request.method === 'POST' && request.url === '/v1/sessions') {
      await readJson(request);
      return send(response, 201, { id: randomUUID() });
    }
    const match = request.method === 'POST' ? messagesPath.exec(request.url ?? '') : null;
    if (!match) return send(response, 404, { error: { message: 'not found' } });
    const body = await readJson(request);
    const result = await orchestrator.routeRequest(String(body.content ?? ''), 'bench-user', match[1]);
    // routeRequest turns a failure into an answer whose text is the error, with no agent in its metadata.
    const text = result.output;
    if (result.metadata.agentId === 'no_agent_selected' || typeof text !== 'string') return send(response, 502, { error: { message: String(text) } });
    send(response, 200, { message: { role: 'assistant', content: text }, agent: result.metadata.agentName, usage: { completion_tokens: Math.ceil(text.length / 4) } });
  } catch (error) {
    send(response, 500, { error: { message: String(error) } });
  }
});

server.listen(port, '127.0.0.1', () => process.stdout.write(`agent-squad server listening on http://127.0.0.1:${port}\n`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
