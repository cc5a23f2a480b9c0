/** Builds a pool's balancing strategy from its config. */

import type { PoolConfig } from '../../config/config-schema.js';
import type { InstanceState } from '../instance-state.js';
import type { Balancer } from './balancer.js';
import { LeastOutstandingBalancer } from './least-outstanding-balancer.js';
import { PrefixAwareBalancer } from './prefix-aware-balancer.js';
import { PowerOfTwoBalancer } from './power-of-two-balancer.js';
import { QueueAwareBalancer } from './queue-aware-balancer.js';
import { RoundRobinBalancer } from './round-robin-balancer.js';
import { SessionAffinityBalancer } from './session-affinity-balancer.js';
import { WeightedBalancer } from './weighted-balancer.js';

export function createBalancer(config: PoolConfig, instances: readonly InstanceState[], random: () => number): Balancer {
  switch (config.balancer) {
    case 'round-robin':
      return new RoundRobinBalancer();
    case 'weighted':
      return new WeightedBalancer(instances.length);
    case 'least-outstanding':
      return new LeastOutstandingBalancer();
    case 'power-of-two':
      return new PowerOfTwoBalancer(random);
    case 'queue-aware':
      return new QueueAwareBalancer({ ...config.queueAware, ...config.saturation });
    case 'prefix-aware':
      return new PrefixAwareBalancer(instances.length, { ...config.prefixAware, inFlightWeight: config.queueAware.inFlightWeight, ...config.saturation });
    case 'session-affinity':
      return new SessionAffinityBalancer(instances, config.affinity);
  }
}
