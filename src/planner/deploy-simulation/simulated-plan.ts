/** What `plan deploy` simulated, before a platform is recommended: the scenario and each platform's run and cost. */

import type { KubernetesMonthlyCost, LambdaEventCost, LambdaMonthlyCost, MonthlyTraffic } from './cost-model.js';
import type { DeployParameters } from './deploy-parameters.js';
import type { DurationDistribution } from './duration-distribution.js';
import type { KubernetesConfig } from './kubernetes-config.js';
import type { KubernetesRun } from './kubernetes-platform.js';
import type { LambdaConfig } from './lambda-config.js';
import type { LambdaRun } from './lambda-platform.js';
import type { LoadtestCalibration } from './loadtest-calibration.js';
import type { TrafficProfile } from './traffic-profiles.js';

export interface LambdaOutcome {
  config: LambdaConfig;
  run: LambdaRun;
  eventCost: LambdaEventCost;
  monthly: LambdaMonthlyCost;
}

export interface KubernetesOutcome {
  config: KubernetesConfig;
  run: KubernetesRun;
  eventCostUsd: number;
  monthly: KubernetesMonthlyCost;
}

export interface DeployScenario {
  profile: TrafficProfile;
  description: string;
  requests: number;
  seed: number;
  serviceTime: DurationDistribution;
  latencySloMs: number;
  traffic: MonthlyTraffic;
  trafficDescription: string;
}

export interface SimulatedPlan {
  scenario: DeployScenario;
  lambda: LambdaOutcome;
  kubernetes: KubernetesOutcome;
  /** Spike profiles only: each platform configured to absorb the spike, and what that costs. */
  whatIf: { kubernetesPreScaled: KubernetesOutcome | null; lambdaProvisioned: LambdaOutcome | null };
  parameters: DeployParameters;
  calibration: LoadtestCalibration | null;
}
