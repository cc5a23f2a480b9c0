/** A chat completion's own stages, in order, after the lifecycle has authenticated and admitted it. */

import { runStages } from '../run-stages.js';
import type { ChatServices } from '../services.js';
import type { Stage } from '../stage.js';
import { assignVariantStage } from './assign-variant-stage.js';
import { callModelStage } from './call-model-stage.js';
import type { ChatContext } from './chat-context.js';
import { resolveRouteStage } from './resolve-route-stage.js';

export const chatStages: readonly Stage<ChatContext, ChatServices>[] = [resolveRouteStage, assignVariantStage, callModelStage];

export async function runChat(context: ChatContext, services: ChatServices): Promise<void> {
  await runStages(chatStages, context, services, context.timer);
}
