/** The Kubernetes simulation's event kinds, and what each one's payloads are. */

export const KubernetesEvent = {
  /** A turn ends: payload the request, payload2 the pod. */
  finish: 0,
  /** A pod's start-up is over: payload the pod. */
  podReady: 1,
  /** A provisioned node joins: payload the node. */
  nodeReady: 2,
  hpaSync: 3,
  metricsScrape: 4,
  autoscalerScan: 5,
  sample: 6,
} as const;
