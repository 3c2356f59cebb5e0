// Housecall Pro (REST, https://api.housecallpro.com, `Authorization: Token <api key>`). Field names
// follow Housecall Pro's public OpenAPI document (docs/crm-adapters.md lists the sources and what is
// not verified):
// 1. `GET /customers?q=<phone>&page_size=10`; the caller is the customer with that phone number, at
//    the address matching the service address when there is one;
// 2. none: `POST /customers` (CustomerCreate) with the name, the phone, tags and the service address;
// 3. a booked call at a known address: `POST /jobs` (JobCreate: customer_id and address_id are
//    required) with its schedule; anything else: `POST /leads` (LeadCreate) with the address by id,
//    or inline when the customer does not have it yet. Adding an address to a known customer
//    (`POST /customers/{id}/addresses`) needs city, state and country, which a call summary lacks,
//    so a booked call at a new address becomes a lead carrying the appointment in its note.
// Emergencies carry an `emergency` tag (customer, job, lead) and an "EMERGENCY !!!" first note line.
// Finished steps are saved in the outbox row so a retry does not create duplicates.
import { DeliveryError } from '../errors.js';
import { httpRequest, parseJson } from '../http.js';
import type { HousecallProCrmConfig } from '../targets-schema.js';
import type { SendContext } from './context.js';
import { crmNote, nationalDigits, sameAddress, samePhone, splitName } from './crm-mapping.js';

interface HcpAddress { id: string; type?: 'billing' | 'service'; street?: string | null; zip?: string | null }
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

/** The customer's address at the service address; without one given, their service address. */
function matchingAddress(c: HcpCustomer, ctx: SendContext): HcpAddress | undefined {
  const addrs = c.addresses ?? [];
  const { line, postalCode } = ctx.summary.serviceAddress;
  if (!line && !postalCode) return addrs.find((a) => a.type === 'service') ?? addrs[0];
  return addrs.find((a) => sameAddress({ street: a.street, postalCode: a.zip }, ctx.summary));
}

export async function sendHousecallPro(cfg: HousecallProCrmConfig, ctx: SendContext): Promise<void> {
  const s = ctx.summary;
  const { line: street, postalCode: zip } = s.serviceAddress;
  const inlineAddress = street || zip ? { ...(street ? { street } : {}), ...(zip ? { zip } : {}) } : undefined;
  const tags = ['firstring', ...(s.urgency === 'emergency' ? ['emergency'] : s.urgency === 'urgent' ? ['urgent'] : [])];

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
      addressId = matchingAddress(found, ctx)?.id;
    } else {
      const { firstName, lastName } = splitName(s);
      const created = await call(cfg, ctx, 'POST', '/customers', 'customerCreate', {
        first_name: firstName,
        last_name: lastName,
        ...(national ? { mobile_number: national } : {}),
        lead_source: 'firstring',
        notifications_enabled: false,
        tags,
        ...(inlineAddress ? { addresses: [inlineAddress] } : {}),
      }) as HcpCustomer;
      customerId = idOf(created, 'customerCreate');
      addressId = inlineAddress ? created.addresses?.[0]?.id : undefined;
    }
    if (addressId) ctx.saveProgress('addressId', String(addressId));
    ctx.saveProgress('customerId', customerId);
  }
  if (ctx.progress.recordId) return;
  const note = crmNote(s);
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
      ...(addressId ? { address_id: addressId } : inlineAddress ? { address: inlineAddress } : {}),
      note,
      tags,
      lead_source: 'firstring',
    });
    ctx.saveProgress('recordId', `lead:${idOf(lead, 'leadCreate')}`);
  }
}
