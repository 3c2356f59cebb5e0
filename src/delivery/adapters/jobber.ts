// Jobber (GraphQL, https://developer.getjobber.com/docs): find the client by phone (clients with
// searchTerm), create one with clientCreate if none, then requestCreate with the job title and
// requestCreateNote with the details. Bearer token; X-JOBBER-GRAPHQL-VERSION on every call.
// Each finished step is saved in the outbox row, so a retry does not create a second client or request.
import { DeliveryError } from '../errors.js';
import { httpRequest, parseJson } from '../http.js';
import type { JobberCrmConfig } from '../targets-schema.js';
import type { SendContext } from './context.js';
import { crmNote, crmTitle, nationalDigits, samePhone, splitName } from './crm-mapping.js';

export const JOBBER_FIND_CLIENT = `query FirstringFindClient($searchTerm: String!) {
  clients(first: 10, searchTerm: $searchTerm) { nodes { id phones { number } } }
}`;

export const JOBBER_CLIENT_CREATE = `mutation FirstringClientCreate($input: ClientCreateInput!) {
  clientCreate(input: $input) { client { id } userErrors { message path } }
}`;

export const JOBBER_REQUEST_CREATE = `mutation FirstringRequestCreate($input: RequestCreateInput!) {
  requestCreate(input: $input) { request { id } userErrors { message path } }
}`;

export const JOBBER_REQUEST_NOTE = `mutation FirstringRequestNote($requestId: EncodedId!, $input: RequestCreateNoteInput!) {
  requestCreateNote(requestId: $requestId, input: $input) { requestNote { id } userErrors { message path } }
}`;

interface UserError { message: string; path?: string[] }

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
    const throttled = json.errors.some((e) => e.extensions?.code === 'THROTTLED');
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

async function findOrCreateClient(cfg: JobberCrmConfig, ctx: SendContext): Promise<string> {
  const s = ctx.summary;
  const national = nationalDigits(s.caller.phone);
  if (national) {
    const data = await graphql(cfg, ctx, JOBBER_FIND_CLIENT, { searchTerm: national }, 'clients');
    const nodes = ((data.clients as { nodes?: Array<{ id: string; phones?: Array<{ number?: string }> }> } | undefined)?.nodes) ?? [];
    const match = nodes.find((n) => n.phones?.some((p) => samePhone(p.number, national)));
    if (match) return match.id;
  }
  const { firstName, lastName } = splitName(s);
  const input: Record<string, unknown> = {
    firstName,
    lastName,
    ...(s.caller.phone ? { phones: [{ number: s.caller.phone, primary: true, description: 'MAIN' }] } : {}),
    ...(s.serviceAddress.line || s.serviceAddress.postalCode
      ? { billingAddress: { ...(s.serviceAddress.line ? { street1: s.serviceAddress.line } : {}), ...(s.serviceAddress.postalCode ? { postalCode: s.serviceAddress.postalCode } : {}) } }
      : {}),
  };
  const data = await graphql(cfg, ctx, JOBBER_CLIENT_CREATE, { input }, 'clientCreate');
  const id = (payloadOf(data, 'clientCreate', 'clientCreate').client as { id?: string } | null)?.id;
  if (!id) throw new DeliveryError('Jobber clientCreate: no client id in response', false);
  return id;
}

export async function sendJobber(cfg: JobberCrmConfig, ctx: SendContext): Promise<void> {
  let clientId = ctx.progress.clientId;
  if (!clientId) {
    clientId = await findOrCreateClient(cfg, ctx);
    ctx.saveProgress('clientId', clientId);
  }
  let requestId = ctx.progress.requestId;
  if (!requestId) {
    const data = await graphql(cfg, ctx, JOBBER_REQUEST_CREATE, { input: { clientId, title: crmTitle(ctx.summary) } }, 'requestCreate');
    requestId = (payloadOf(data, 'requestCreate', 'requestCreate').request as { id?: string } | null)?.id;
    if (!requestId) throw new DeliveryError('Jobber requestCreate: no request id in response', false);
    ctx.saveProgress('requestId', requestId);
  }
  const data = await graphql(cfg, ctx, JOBBER_REQUEST_NOTE, { requestId, input: { message: crmNote(ctx.summary) } }, 'requestCreateNote');
  payloadOf(data, 'requestCreateNote', 'requestCreateNote');
}
