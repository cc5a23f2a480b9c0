/** `switchboard plan deploy`: resolves parameters (defaults, load-test calibration, flags), runs the plan and prints it. */

import { writeFileSync } from 'node:fs';
import { DeployParameters, deployParameterKeys, deployParameterSpecs, ParameterError, type DeployParameterKey } from './deploy-simulation/deploy-parameters.js';
import { planDeployment } from './deploy-simulation/deploy-plan.js';
import { deployPlanJson, deployPlanText } from './deploy-simulation/deploy-plan-report.js';
import { readLoadtestCalibration } from './deploy-simulation/loadtest-calibration.js';
import { renderDeployChart } from './deploy-simulation/deploy-chart-svg.js';

export interface PlanDeployOptions {
  /** Parameter values from flags, by parameter key. */
  parameterFlags: Partial<Record<DeployParameterKey, string>>;
  fromLoadtest: string | undefined;
  svgFile: string | undefined;
  json: boolean;
  showParameters: boolean;
}

export { ParameterError };

/** Flag name → parameter key, for the CLI's option table. */
export const deployParameterFlags: readonly { key: DeployParameterKey; flag: string; help: string }[] = deployParameterKeys.map((key) => ({
  key,
  flag: deployParameterSpecs[key].flag,
  help: deployParameterSpecs[key].help,
}));

export function runPlanDeploy(options: PlanDeployOptions, write: (text: string) => void): number {
  const calibration = options.fromLoadtest === undefined ? null : readLoadtestCalibration(options.fromLoadtest);
  const measured: Partial<Record<DeployParameterKey, { text: string; source: string }>> = {};
  if (calibration) {
    measured.podCapacity = { text: String(calibration.podCapacity), source: `${calibration.file}: peakInFlight ${calibration.measured.peakInFlight ?? 'n/a'} with ${calibration.measured.errors ?? 0} errors` };
    if (calibration.serviceTime !== null) {
      measured.serviceTime = { text: calibration.serviceTime, source: `${calibration.file}: latencyMs.e2e p50 and p99` };
    }
  }
  const parameters = DeployParameters.resolve(options.parameterFlags, measured);
  const plan = planDeployment(parameters, calibration);
  if (options.svgFile !== undefined) writeFileSync(options.svgFile, renderDeployChart(plan));
  write(options.json ? JSON.stringify(deployPlanJson(plan), null, 2) + '\n' : deployPlanText(plan, options.showParameters) + '\n');
  return 0;
}
