/** `switchboard plan deploy`: simulates a traffic profile on Lambda and on Kubernetes and recommends one. */

import { stringFlag, UsageError, type Command, type OptionSpec } from '../command.js';

/**
 * The parameter flags are listed here rather than imported, so that `switchboard --help`
 * does not load the planner; a test checks the list against the planner's parameter table.
 */
export const planDeployParameterFlags = [
  'profile', 'users', 'spike-window', 'rate', 'rate-from', 'duration', 'amplitude', 'period', 'arrivals', 'trace', 'service-time', 'seed',
  'baseline-rps', 'events-per-month', 'latency-slo',
  'lambda-memory-mb', 'lambda-init-time', 'lambda-idle-expiry', 'lambda-account-concurrency', 'lambda-scaling-rate', 'lambda-provisioned',
  'retry-base', 'retry-cap', 'retry-max-attempts', 'api-gateway-burst', 'api-gateway-rate', 'api-gateway-timeout',
  'pod-capacity', 'min-replicas', 'max-replicas', 'hpa-target-utilization', 'hpa-tolerance', 'hpa-sync-period',
  'hpa-scale-up-stabilization', 'hpa-scale-up-percent', 'hpa-scale-up-pods', 'hpa-scale-up-period',
  'hpa-scale-down-stabilization', 'hpa-scale-down-percent', 'hpa-scale-down-period', 'metrics-scrape-interval',
  'pod-start-time', 'image-pull-time', 'pods-per-node', 'node-provision-time', 'node-scale-down-delay', 'autoscaler-scan-interval', 'node-type',
  'lambda-gb-second-usd', 'lambda-request-usd-per-million', 'lambda-provisioned-gb-second-usd', 'lambda-provisioned-duration-gb-second-usd',
  'api-gateway-usd-per-million', 'node-hour-usd', 'eks-control-plane-hour-usd', 'load-balancer-hour-usd',
] as const;

const options: OptionSpec = {
  json: { type: 'boolean' },
  svg: { type: 'string' },
  'from-loadtest': { type: 'string' },
  'show-parameters': { type: 'boolean' },
  ...Object.fromEntries(planDeployParameterFlags.map((flag) => [flag, { type: 'string' as const }])),
};

export const planDeployCommand: Command = {
  path: ['plan', 'deploy'],
  summary: 'simulate a traffic profile on Lambda and on Kubernetes: latency, instances, monthly cost',
  usage: `Usage: switchboard plan deploy [options]

With no options, plans the brief's scenario: 5,000 users arriving within a second, each
turn 4–7 s, on AWS Lambda behind API Gateway and on Kubernetes pods with an HPA. A
discrete-event simulation, deterministic for a seed. See docs/planner.md.

Output:
  --json                      print JSON
  --svg FILE                  write latency and instances over time for both platforms
  --from-loadtest FILE        take pod capacity and turn latency from \`switchboard loadtest --json\`
  --show-parameters           list every parameter with its provenance and source

Traffic:
  --profile P                 spike (default), steady, ramp, diurnal, trace
  --users N                   spike size (5000)          --spike-window DUR    (1s)
  --rate R                    steady rate, ramp end, diurnal mean, requests/s (10)
  --rate-from R               ramp start (0)             --duration DUR        (10min)
  --amplitude F               diurnal swing (0.8)        --period DUR          (24h)
  --arrivals A                poisson (default) or uniform
  --trace FILE                arrival times in seconds, one per line or a JSON array
  --service-time DIST         time a turn takes (4s-7s); forms: 4s-7s, fixed:5s,
                              uniform:4s,7s, exponential:5s, normal:5s,1s, lognormal:MEDIAN,P99
  --seed N                    (1)
  --baseline-rps R            everyday traffic for the monthly cost (auto)
  --events-per-month N        how often the profile happens (auto: 30 for a spike)
  --latency-slo DUR           p99 target (auto: 1.5 × the service time's p99)

Lambda:
  --lambda-memory-mb N (1024)  --lambda-init-time DIST (lognormal:1s,3s)  --lambda-idle-expiry DUR (10min)
  --lambda-account-concurrency N (1000)  --lambda-scaling-rate N per 10 s (1000)  --lambda-provisioned N (0)
  --retry-base DUR (1s)  --retry-cap DUR (20s)  --retry-max-attempts N (10)
  --api-gateway-burst N (5000)  --api-gateway-rate R (10000)  --api-gateway-timeout DUR (30s)

Kubernetes:
  --pod-capacity N (1000)  --min-replicas N (2)  --max-replicas N (100)  --hpa-target-utilization F (0.7)
  --hpa-tolerance F (0.1)  --hpa-sync-period DUR (15s)  --hpa-scale-up-{stabilization,percent,pods,period}
  --hpa-scale-down-{stabilization,percent,period}  --metrics-scrape-interval DUR (15s)
  --pod-start-time DIST (uniform:3s,6s)  --image-pull-time DUR (15s)  --pods-per-node N (6)
  --node-provision-time DIST (uniform:45s,90s)  --node-scale-down-delay DUR (10min)
  --autoscaler-scan-interval DUR (10s)  --node-type NAME (c7i.2xlarge)

Prices (USD): --lambda-gb-second-usd, --lambda-request-usd-per-million, --lambda-provisioned-gb-second-usd,
  --lambda-provisioned-duration-gb-second-usd, --api-gateway-usd-per-million, --node-hour-usd (0.357),
  --eks-control-plane-hour-usd (0.10), --load-balancer-hour-usd (0.0305)
`,
  options,
  async run({ values }) {
    const { runPlanDeploy, deployParameterFlags, ParameterError } = await import('../../planner/plan-deploy-run.js');
    const parameterFlags: Record<string, string> = {};
    for (const { key, flag } of deployParameterFlags) {
      const value = stringFlag(values, flag);
      if (value !== undefined) parameterFlags[key] = value;
    }
    try {
      return runPlanDeploy(
        {
          parameterFlags,
          fromLoadtest: stringFlag(values, 'from-loadtest'),
          svgFile: stringFlag(values, 'svg'),
          json: values.json === true,
          showParameters: values['show-parameters'] === true,
        },
        (text) => process.stdout.write(text),
      );
    } catch (error) {
      if (error instanceof ParameterError) throw new UsageError(`plan deploy: ${error.message}`);
      throw error;
    }
  },
};
