/** The intent contract: given a user message (and what came before), which agent should answer and how sure we are. */

export type IntentSource = 'explicit' | 'rules' | 'follow-up' | 'default';

export interface IntentInput {
  text: string;
  /** The agent of the session's previous turn, if any. */
  previousAgent?: string;
  /** An agent the client named explicitly. */
  requestedAgent?: string;
}

export interface IntentResult {
  agent: string;
  intent: string;
  confidence: number;
  source: IntentSource;
}

export interface IntentClassifier {
  classify(input: IntentInput): IntentResult;
}
