// Sends one resolved target with the adapter of its kind.
import type { SendContext } from './adapters/context.js';
import { sendEmail } from './adapters/email.js';
import { sendHousecallPro } from './adapters/housecall-pro.js';
import { sendJobber } from './adapters/jobber.js';
import { sendSms } from './adapters/sms.js';
import { sendWebhook } from './adapters/webhook.js';
import type { ResolvedTarget } from './targets.js';

export type Dispatch = (target: ResolvedTarget, ctx: SendContext) => Promise<void>;

export const dispatchTarget: Dispatch = async (target, ctx) => {
  switch (target.kind) {
    case 'email': return sendEmail(target.to, target.smtp, ctx);
    case 'sms': return sendSms(target.to, target.provider, ctx);
    case 'webhook': return sendWebhook(target.webhook, ctx);
    case 'crm': return target.crm.kind === 'jobber' ? sendJobber(target.crm, ctx) : sendHousecallPro(target.crm, ctx);
  }
};
