// Housecall Pro (REST, https://docs.housecallpro.com): find the customer by phone (GET /customers?q=),
// create one with a service address if none (POST /customers), add the address if the customer lacks
// it (POST /customers/{id}/addresses), then a job with its schedule for a booked call (POST /jobs)
// or a lead otherwise (POST /leads). `Authorization: Token <api key>`. Finished steps are saved in
// the outbox row so a retry does not create duplicates.
import { DeliveryError } from '../errors.js';
import { httpRequest, parseJson } from '../http.js';
import type { HousecallProCrmConfig } from '../targets-schema.js';
import type { SendContext } from './context.js';
import { crmNote, nationalDigits, samePhone, splitName } from './crm-mapping.js';

interface HcpAddress { id: string; street?: string | null; zip?: string | null; type?: string }
interface HcpCustomer { id: string; mobile_number?: string | null; home_number?: string | null; work_number?: string | null; addresses?: HcpAddress[] }

async function call(cfg: HousecallProCrmConfig, ctx: SendContext, method: 'GET' | 'POST', path: string, step: string, body?: unknown): Promise<unknown> {
  const res = await httpRequest(`${cfg.baseUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      authorization: `Token ${cfg.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': `${ctx.idempotencyKey}#${step}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }, ctx.signal);
  return parseJson(res, `Housecall Pro ${step}`);
}

function idOf(v: unknown, step: string): string {
  const id = (v as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new DeliveryError(`Housecall Pro ${step}: no id in response`, false);
  return String(id);
}

const norm = (s: string | null | undefined) => (s ?? '').replace(/[\s-]/g, '').toUpperCase();

function matchingAddress(c: HcpCustomer, street: string | null, zip: string | null): HcpAddress | undefined {
  const addrs = c.addresses ?? [];
  if (!street && !zip) return addrs.find((a) => a.type === 'service') ?? addrs[0];
  return addrs.find((a) => (zip ? norm(a.zip) === norm(zip) : true) && (street ? norm(a.street) === norm(street) : true));
}

export async function sendHousecallPro(cfg: HousecallProCrmConfig, ctx: SendContext): Promise<void> {
  const s = ctx.summary;
  const street = s.serviceAddress.line;
  const zip = s.serviceAddress.postalCode;
  const tags = ['firstring', ...(s.urgency === 'emergency' ? ['emergency'] : s.urgency === 'urgent' ? ['urgent'] : [])];
  const note = crmNote(s);

  let customerId = ctx.progress.customerId;
  let addressId = ctx.progress.addressId;
  if (!customerId) {
    const national = nationalDigits(s.caller.phone);
    let found: HcpCustomer | undefined;
    if (national) {
      const list = await call(cfg, ctx, 'GET', `/customers?q=${encodeURIComponent(national)}&page_size=10`, 'customers') as { customers?: HcpCustomer[] };
      found = (list.customers ?? []).find((c) => [c.mobile_number, c.home_number, c.work_number].some((p) => samePhone(p, national)));
    }
    if (found) {
      customerId = String(found.id);
      addressId = matchingAddress(found, street, zip)?.id;
    } else {
      const { firstName, lastName } = splitName(s);
      const created = await call(cfg, ctx, 'POST', '/customers', 'customerCreate', {
        first_name: firstName,
        last_name: lastName,
        ...(national ? { mobile_number: national } : {}),
        lead_source: 'firstring',
        notifications_enabled: false,
        tags,
        ...(street || zip ? { addresses: [{ type: 'service', ...(street ? { street } : {}), ...(zip ? { zip } : {}) }] } : {}),
      }) as HcpCustomer;
      customerId = idOf(created, 'customerCreate');
      addressId = created.addresses?.[0]?.id;
    }
    ctx.saveProgress('customerId', customerId);
    if (addressId) ctx.saveProgress('addressId', String(addressId));
  }
  if (!addressId && (street || zip)) {
    const created = await call(cfg, ctx, 'POST', `/customers/${encodeURIComponent(customerId)}/addresses`, 'addressCreate', {
      type: 'service', ...(street ? { street } : {}), ...(zip ? { zip } : {}),
    });
    addressId = idOf(created, 'addressCreate');
    ctx.saveProgress('addressId', addressId);
  }
  if (ctx.progress.recordId) return;
  if (s.outcome === 'booked' && s.appointment && addressId) {
    const job = await call(cfg, ctx, 'POST', '/jobs', 'jobCreate', {
      customer_id: customerId,
      address_id: addressId,
      notes: note,
      tags,
      lead_source: 'firstring',
      schedule: { scheduled_start: s.appointment.start, scheduled_end: s.appointment.end },
    });
    ctx.saveProgress('recordId', `job:${idOf(job, 'jobCreate')}`);
  } else {
    const lead = await call(cfg, ctx, 'POST', '/leads', 'leadCreate', {
      customer_id: customerId,
      ...(addressId ? { address_id: addressId } : {}),
      note,
      tags,
      lead_source: 'firstring',
    });
    ctx.saveProgress('recordId', `lead:${idOf(lead, 'leadCreate')}`);
  }
}
