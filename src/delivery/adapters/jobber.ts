// Jobber (GraphQL, POST https://api.getjobber.com/api/graphql, `Authorization: Bearer <token>`,
// `X-JOBBER-GRAPHQL-VERSION` on every call). Field names follow Jobber's published schema
// (docs/crm-adapters.md lists the sources and what is not verified):
// 1. `clients(searchTerm:)` by phone; the caller's client is the one with that phone number, and its
//    property at the service address is picked when it has one;
// 2. none: `clientCreate(input: ClientCreateInput!)` with the name, the phone and the service address
//    as the client's property;
// 3. `requestSettings { forms }`: the account's request form, because `RequestCreateInput.customFormInput`
//    (a `FormSubmissionInput!` naming a `formId`) is required;
// 4. `requestCreate(input: RequestCreateInput!)` with the client, the property, the form and the title
//    (emergencies are flagged in the title: requests have no priority or tag input);
// 5. `requestCreateNote(requestId:, input: RequestCreateNoteInput!)` with every summary field.
// Each finished step is saved in the outbox row, so a retry does not create a second client or request.
import { DeliveryError } from '../errors.js';
import { httpRequest, parseJson } from '../http.js';
import type { JobberCrmConfig } from '../targets-schema.js';
import type { SendContext } from './context.js';
import { crmNote, crmTitle, nationalDigits, sameAddress, samePhone, splitName } from './crm-mapping.js';

export const JOBBER_FIND_CLIENT = `query FirstringFindClient($searchTerm: String!) {
  clients(first: 10, searchTerm: $searchTerm) {
    nodes { id phones { number } clientProperties(first: 20) { nodes { id address { street1 postalCode } } } }
  }
}`;

export const JOBBER_CLIENT_CREATE = `mutation FirstringClientCreate($input: ClientCreateInput!) {
  clientCreate(input: $input) { client { id clientProperties(first: 1) { nodes { id } } } userErrors { message path } }
}`;

export const JOBBER_REQUEST_FORM = `query FirstringRequestForm {
  requestSettings { forms(first: 1) { nodes { id } } }
}`;

export const JOBBER_REQUEST_CREATE = `mutation FirstringRequestCreate($input: RequestCreateInput!) {
  requestCreate(input: $input) { request { id } userErrors { message path } }
}`;

export const JOBBER_REQUEST_NOTE = `mutation FirstringRequestNote($requestId: EncodedId!, $input: RequestCreateNoteInput!) {
  requestCreateNote(requestId: $requestId, input: $input) { requestNote { id } userErrors { message path } }
}`;

interface UserError { message: string; path?: string[] }
interface PropertyNode { id: string; address?: { street1?: string | null; postalCode?: string | null } | null }
interface ClientNode { id: string; phones?: Array<{ number?: string | null }>; clientProperties?: { nodes?: PropertyNode[] } | null }

async function graphql(cfg: JobberCrmConfig, ctx: SendContext, query: string, variables: Record<string, unknown>, step: string): Promise<Record<string, unknown>> {
  const res = await httpRequest(cfg.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${cfg.accessToken}`,
      'x-jobber-graphql-version': cfg.apiVersion,
      'idempotency-key': `${ctx.idempotencyKey}#${step}`,
    },
    body: JSON.stringify({ query, variables }),
  }, ctx.signal);
  const json = parseJson(res, `Jobber ${step}`) as { data?: Record<string, unknown> | null; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
  if (json.errors?.length) {
    // Query-cost throttling answers 200 with an error (docs: api_rate_limits); it clears as points restore.
    const throttled = json.errors.some((e) => e.extensions?.code === 'THROTTLED' || /throttled/i.test(e.message ?? ''));
    throw new DeliveryError(`Jobber ${step}: ${json.errors.map((e) => e.message ?? 'error').join('; ')}`, throttled);
  }
  if (!json.data) throw new DeliveryError(`Jobber ${step}: no data in response`, false);
  return json.data;
}

function payloadOf(data: Record<string, unknown>, field: string, step: string): Record<string, unknown> {
  const p = data[field] as { userErrors?: UserError[] } & Record<string, unknown> | undefined;
  if (!p) throw new DeliveryError(`Jobber ${step}: no ${field} in response`, false);
  if (p.userErrors?.length) throw new DeliveryError(`Jobber ${step}: ${p.userErrors.map((e) => e.message).join('; ')}`, false);
  return p;
}

/** The client (and its property at the service address, if any), found by phone or created. */
async function findOrCreateClient(cfg: JobberCrmConfig, ctx: SendContext): Promise<{ clientId: string; propertyId?: string }> {
  const s = ctx.summary;
  const national = nationalDigits(s.caller.phone);
  if (national) {
    const data = await graphql(cfg, ctx, JOBBER_FIND_CLIENT, { searchTerm: national }, 'clients');
    const nodes = ((data.clients as { nodes?: ClientNode[] } | undefined)?.nodes) ?? [];
    const match = nodes.find((n) => n.phones?.some((p) => samePhone(p.number, national)));
    if (match) {
      const property = match.clientProperties?.nodes?.find((p) => sameAddress({ street: p.address?.street1, postalCode: p.address?.postalCode }, s));
      return { clientId: match.id, ...(property ? { propertyId: property.id } : {}) };
    }
  }
  const { firstName, lastName } = splitName(s);
  const { line, postalCode } = s.serviceAddress;
  const input: Record<string, unknown> = {
    firstName,
    lastName,
    ...(s.caller.phone ? { phones: [{ number: s.caller.phone, primary: true, description: 'MAIN' }] } : {}),
    ...(line || postalCode ? { properties: [{ address: { ...(line ? { street1: line } : {}), ...(postalCode ? { postalCode } : {}) } }] } : {}),
  };
  const data = await graphql(cfg, ctx, JOBBER_CLIENT_CREATE, { input }, 'clientCreate');
  const client = payloadOf(data, 'clientCreate', 'clientCreate').client as ClientNode | null | undefined;
  if (!client?.id) throw new DeliveryError('Jobber clientCreate: no client id in response', false);
  const propertyId = line || postalCode ? client.clientProperties?.nodes?.[0]?.id : undefined;
  return { clientId: client.id, ...(propertyId ? { propertyId } : {}) };
}

async function requestFormId(cfg: JobberCrmConfig, ctx: SendContext): Promise<string> {
  const data = await graphql(cfg, ctx, JOBBER_REQUEST_FORM, {}, 'requestSettings');
  const settings = data.requestSettings as { forms?: { nodes?: Array<{ id?: string }> } } | null | undefined;
  const id = settings?.forms?.nodes?.[0]?.id;
  if (!id) throw new DeliveryError('Jobber requestSettings: the account has no request form', false);
  return id;
}

export async function sendJobber(cfg: JobberCrmConfig, ctx: SendContext): Promise<void> {
  let clientId = ctx.progress.clientId;
  let propertyId = ctx.progress.propertyId;
  if (!clientId) {
    const found = await findOrCreateClient(cfg, ctx);
    clientId = found.clientId;
    propertyId = found.propertyId;
    if (propertyId) ctx.saveProgress('propertyId', propertyId);
    ctx.saveProgress('clientId', clientId);
  }
  let requestId = ctx.progress.requestId;
  if (!requestId) {
    let formId = ctx.progress.requestFormId;
    if (!formId) {
      formId = await requestFormId(cfg, ctx);
      ctx.saveProgress('requestFormId', formId);
    }
    const input = { clientId, ...(propertyId ? { propertyId } : {}), customFormInput: { formId }, title: crmTitle(ctx.summary) };
    const data = await graphql(cfg, ctx, JOBBER_REQUEST_CREATE, { input }, 'requestCreate');
    requestId = (payloadOf(data, 'requestCreate', 'requestCreate').request as { id?: string } | null)?.id;
    if (!requestId) throw new DeliveryError('Jobber requestCreate: no request id in response', false);
    ctx.saveProgress('requestId', requestId);
  }
  const data = await graphql(cfg, ctx, JOBBER_REQUEST_NOTE, { requestId, input: { message: crmNote(ctx.summary) } }, 'requestCreateNote');
  payloadOf(data, 'requestCreateNote', 'requestCreateNote');
}
