/**
 * The narrow services stages declare, so a stage takes what it uses and nothing of the runtime.
 * The app's generation provides them; tests may build them by hand.
 */

import type { AdmissionController } from '../access/admission-controller.js';
import type { ApiKeyAuthenticator } from '../access/api-key-authenticator.js';
import type { KeyBudgetGuard } from '../access/key-budget-guard.js';
import type { AgentConfig, SwitchboardConfig } from '../config/config-schema.js';
import type { ExperimentEngine } from '../experiments/experiment-engine.js';
import type { IntentClassifier } from '../intent/intent-classifier.js';
import type { ModelRouter } from '../models/model-router.js';
import type { UsageRecorder } from '../models/usage-recorder.js';
import type { SessionStore } from '../stores/store-types.js';

export interface AccessServices {
  readonly authenticator: Pick<ApiKeyAuthenticator, 'authenticate'>;
  readonly admission: Pick<AdmissionController, 'admit'>;
  /** Monthly key budgets, checked before admission for keys that have one. */
  readonly budgets: Pick<KeyBudgetGuard, 'check'>;
}

/** Model calls and their accounting. */
export interface ModelServices {
  readonly router: Pick<ModelRouter, 'call' | 'stream' | 'hasRoute'>;
  readonly usage: Pick<UsageRecorder, 'record'>;
}

/** Experiments: which variants a request gets, and what is kept of each committed turn for feedback. */
export interface ExperimentServices {
  readonly experiments: Pick<ExperimentEngine, 'active' | 'assign' | 'recordExposure'>;
}

export interface TurnServices extends AccessServices, ModelServices, ExperimentServices {
  readonly sessions: SessionStore;
  readonly intent: IntentClassifier;
  /** The agents by name. */
  readonly agents: Readonly<Record<string, AgentConfig>>;
  readonly sessionSettings: SwitchboardConfig['sessions'];
}

export type ChatServices = AccessServices & ModelServices & ExperimentServices;
