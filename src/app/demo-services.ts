/** The demo shop's services that `demo-orders://PATH` tool URLs name: started only when an agent's tool uses one. */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { DemoOrderService } from '../lab/demo-order-service.js';

const demoOrdersUrl = /^demo-orders:\/\/(.*)$/;

function usesDemoOrders(config: SwitchboardConfig): boolean {
  return Object.values(config.agents).some((agent) => agent.tools.some((tool) => tool.kind === 'http' && demoOrdersUrl.test(tool.url)));
}

export async function startDemoServices(config: SwitchboardConfig): Promise<DemoOrderService | undefined> {
  if (!usesDemoOrders(config)) return undefined;
  const { startDemoOrderService } = await import('../lab/demo-order-service.js');
  return startDemoOrderService();
}

/** Turns `demo-orders://orders/lookup` into the running service's address; other URLs go to `next`. */
export function demoUrlResolver(service: DemoOrderService | undefined, next: (url: string) => string): (url: string) => string {
  if (!service) return next;
  return (url) => {
    const match = demoOrdersUrl.exec(url);
    return match ? `${service.url}/${match[1]}` : next(url);
  };
}
