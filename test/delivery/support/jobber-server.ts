// A Jobber GraphQL stand-in: every request is checked as api.getjobber.com would (route, JSON body,
// bearer token, X-JOBBER-GRAPHQL-VERSION) and then parsed, validated and executed by graphql-js
// against the subset of Jobber's schema that firstring uses. The SDL below is transcribed from the
// introspection dump Jobber publishes in GetJobber/Jobber-AppTemplate-RailsAPI (db/schema.json,
// commit 98d7fe3b); fields marked "assumed" are not in the parts of that dump we could read (see
// docs/crm-adapters.md). Unknown fields, unknown input fields and missing required inputs are
// therefore rejected by the GraphQL validator, as the real endpoint would.
import { buildSchema, graphql, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { RecordedRequest, Reply } from './recording-server.js';

export const JOBBER_SCHEMA_SUBSET = buildSchema(`
  scalar EncodedId

  type Query {
    clients(searchTerm: String, after: String, before: String, first: Int, last: Int): ClientConnection!
    requestSettings: RequestSettings
  }

  type Mutation {
    clientCreate(input: ClientCreateInput!): ClientCreatePayload!
    requestCreate(input: RequestCreateInput!): RequestCreatePayload!
    requestCreateNote(requestId: EncodedId!, input: RequestCreateNoteInput!): RequestCreateNotePayload!
  }

  type ClientConnection { nodes: [Client!]! totalCount: Int! }
  type Client {
    id: EncodedId!
    firstName: String!
    lastName: String!
    phones: [ClientPhoneNumber!]!
    clientProperties(after: String, before: String, first: Int, last: Int): PropertyConnection!
  }
  # ClientPhoneNumber, PropertyConnection.nodes, Property.address: assumed (Jobber's docs examples; not in the parts of the dump read).
  type ClientPhoneNumber { id: EncodedId! number: String! description: String! primary: Boolean! }
  type PropertyConnection { nodes: [Property!]! }
  type Property { id: EncodedId! address: PropertyAddress! }
  type PropertyAddress { street1: String street2: String city: String province: String postalCode: String country: String }

  type RequestSettings {
    id: EncodedId!
    forms(after: String, before: String, first: Int, last: Int): FormConnection!
  }
  type FormConnection { nodes: [Form!]! }
  type Form { id: ID! }

  input ClientCreateInput {
    firstName: String
    lastName: String
    companyName: String
    isCompany: Boolean
    phones: [PhoneNumberCreateAttributes!]
    properties: [PropertyAttributes!]
    billingAddress: AddressAttributes
  }
  input PhoneNumberCreateAttributes { description: PhoneNumberDescription number: String smsAllowed: Boolean primary: Boolean }
  enum PhoneNumberDescription { MAIN WORK MOBILE HOME FAX OTHER }
  input PropertyAttributes { address: AddressAttributes }
  input AddressAttributes { street1: String street2: String city: String country: String province: String postalCode: String }

  input RequestCreateInput {
    clientId: EncodedId!
    propertyId: EncodedId
    customFormInput: FormSubmissionInput!
    title: String
    source: RequestSource
  }
  input FormSubmissionInput { formId: ID! }
  enum RequestSource { SOCIAL_MEDIA INTERNAL EXTERNAL }
  input RequestCreateNoteInput { message: String linkedTo: RequestNoteLinkInput }
  input RequestNoteLinkInput { invoices: Boolean jobs: Boolean quotes: Boolean }

  type MutationErrors { message: String! path: [String!]! }
  type ClientCreatePayload { client: Client userErrors: [MutationErrors!]! }
  type Request { id: EncodedId! title: String }  # fields from the dump's Request type
  type RequestCreatePayload { request: Request userErrors: [MutationErrors!]! }
  type RequestNote { id: EncodedId! message: String! }
  type RequestCreateNotePayload { request: Request requestNote: RequestNote userErrors: [MutationErrors!]! }
`);

export interface JobberClientFixture {
  id: string;
  firstName: string;
  lastName: string;
  phones: string[];
  properties: Array<{ id: string; street1: string; postalCode: string }>;
}

export interface JobberOptions {
  accessToken: string;
  clients?: JobberClientFixture[];
  /** The account's request form; null for an account without one. */
  requestFormId?: string | null;
  /** Root field → how many calls answer 502 before one is served. */
  failures?: Record<string, number>;
  /** Root field → how many calls are refused as over the query-cost budget before one is served. */
  throttle?: Record<string, number>;
  /** Root mutation field → a userErrors message it answers with. */
  refuse?: Record<string, string>;
}

export interface JobberStandIn {
  handler: (req: RecordedRequest) => Reply | Promise<Reply>;
  /** Everything the stand-in rejected, as "<status> <reason>". */
  problems: string[];
  /** Root fields of the operations it served, in order. */
  served: string[];
  clients: JobberClientFixture[];
  requests: Array<{ id: string; clientId: string; propertyId?: string; formId: string; title?: string }>;
  notes: Array<{ id: string; requestId: string; message?: string }>;
}

const VERSION = /^\d{4}-\d{2}-\d{2}$/;

function rootFields(doc: DocumentNode): string[] {
  return doc.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
    .flatMap((op) => op.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : [])));
}

const digits = (s: string) => s.replace(/\D/g, '');

export function jobberStandIn(opts: JobberOptions): JobberStandIn {
  const state: Omit<JobberStandIn, 'handler'> = { problems: [], served: [], clients: [...(opts.clients ?? [])], requests: [], notes: [] };
  const formId = opts.requestFormId === undefined ? 'Z2lkOi8vSm9iYmVyL0Zvcm0vMQ==' : opts.requestFormId;
  const failures = { ...(opts.failures ?? {}) };
  const throttle = { ...(opts.throttle ?? {}) };
  let seq = 0;
  const nextId = (kind: string) => Buffer.from(`gid://Jobber/${kind}/${++seq}`).toString('base64');
  const reject = (status: number, reason: string, body: unknown): Reply => {
    state.problems.push(`${status} ${reason}`);
    return { status, body };
  };
  const userError = (field: string) => (opts.refuse?.[field] ? [{ message: opts.refuse[field], path: ['input'] }] : []);

  const clientView = (c: JobberClientFixture) => ({
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    phones: c.phones.map((number, i) => ({ id: `${c.id}-p${i}`, number, description: 'Main', primary: i === 0 })),
    clientProperties: () => ({ nodes: c.properties.map((p) => ({ id: p.id, address: { street1: p.street1, postalCode: p.postalCode } })) }),
  });

  const root = {
    clients: ({ searchTerm }: { searchTerm?: string }) => {
      const term = (searchTerm ?? '').toLowerCase();
      const nodes = state.clients.filter((c) =>
        `${c.firstName} ${c.lastName}`.toLowerCase().includes(term) || (digits(term) !== '' && c.phones.some((p) => digits(p).includes(digits(term)))));
      return { nodes: nodes.map(clientView), totalCount: nodes.length };
    },
    requestSettings: () => ({ id: 'settings', forms: () => ({ nodes: formId ? [{ id: formId }] : [] }) }),
    clientCreate: ({ input }: { input: { firstName?: string; lastName?: string; companyName?: string; phones?: Array<{ number?: string }>; properties?: Array<{ address?: { street1?: string; postalCode?: string } }> } }) => {
      const refused = userError('clientCreate');
      if (refused.length) return { client: null, userErrors: refused };
      if (!input.firstName && !input.companyName) return { client: null, userErrors: [{ message: 'First name or company name is required', path: ['input', 'firstName'] }] };
      const id = nextId('Client');
      const client: JobberClientFixture = {
        id,
        firstName: input.firstName ?? '',
        lastName: input.lastName ?? '',
        phones: (input.phones ?? []).flatMap((p) => (p.number ? [p.number] : [])),
        properties: (input.properties ?? []).map((p) => ({ id: nextId('Property'), street1: p.address?.street1 ?? '', postalCode: p.address?.postalCode ?? '' })),
      };
      state.clients.push(client);
      return { client: clientView(client), userErrors: [] };
    },
    requestCreate: ({ input }: { input: { clientId: string; propertyId?: string; customFormInput: { formId: string }; title?: string } }) => {
      const refused = userError('requestCreate');
      if (refused.length) return { request: null, userErrors: refused };
      const client = state.clients.find((c) => c.id === input.clientId);
      if (!client) return { request: null, userErrors: [{ message: 'Client not found', path: ['input', 'clientId'] }] };
      if (input.propertyId && !client.properties.some((p) => p.id === input.propertyId)) return { request: null, userErrors: [{ message: 'Property not found', path: ['input', 'propertyId'] }] };
      if (input.customFormInput.formId !== formId) return { request: null, userErrors: [{ message: 'Form not found', path: ['input', 'customFormInput', 'formId'] }] };
      const request = { id: nextId('Request'), clientId: input.clientId, ...(input.propertyId ? { propertyId: input.propertyId } : {}), formId: input.customFormInput.formId, ...(input.title !== undefined ? { title: input.title } : {}) };
      state.requests.push(request);
      return { request: { id: request.id, title: request.title }, userErrors: [] };
    },
    requestCreateNote: ({ requestId, input }: { requestId: string; input: { message?: string } }) => {
      if (!state.requests.some((r) => r.id === requestId)) return { request: null, requestNote: null, userErrors: [{ message: 'Request not found', path: ['requestId'] }] };
      const note = { id: nextId('RequestNote'), requestId, ...(input.message !== undefined ? { message: input.message } : {}) };
      state.notes.push(note);
      return { request: { id: requestId }, requestNote: { id: note.id, message: note.message ?? '' }, userErrors: [] };
    },
  };

  const handler = (req: RecordedRequest): Reply | Promise<Reply> => {
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method !== 'POST' || path !== '/api/graphql') return reject(404, `no route ${req.method} ${path}`, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${opts.accessToken}`) return reject(401, 'invalid bearer token', { error: 'invalid_request' });
    const version = req.headers['x-jobber-graphql-version'];
    if (typeof version !== 'string' || !VERSION.test(version)) return reject(400, 'no X-JOBBER-GRAPHQL-VERSION', { errors: [{ message: 'An API version header is required' }] });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return reject(415, 'not application/json', { errors: [{ message: 'Unsupported content type' }] });
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return reject(400, 'body is not JSON', { errors: [{ message: 'Invalid JSON' }] });
    }
    if (typeof body.query !== 'string') return reject(400, 'no query', { errors: [{ message: 'No query string was present' }] });
    let doc: DocumentNode;
    try {
      doc = parse(body.query);
    } catch (err) {
      return reject(200, `syntax: ${(err as Error).message}`, { errors: [{ message: (err as Error).message }] });
    }
    const invalid = validate(JOBBER_SCHEMA_SUBSET, doc);
    if (invalid.length) return reject(200, `invalid: ${invalid.map((e) => e.message).join('; ')}`, { errors: invalid.map((e) => ({ message: e.message })) });
    const fields = rootFields(doc);
    const failing = fields.find((f) => (failures[f] ?? 0) > 0);
    if (failing) {
      failures[failing]! -= 1;
      return { status: 502, body: 'bad gateway' };
    }
    const throttled = fields.find((f) => (throttle[f] ?? 0) > 0);
    if (throttled) {
      throttle[throttled]! -= 1;
      return { status: 200, body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }] } };
    }
    state.served.push(...fields);
    return graphql({ schema: JOBBER_SCHEMA_SUBSET, source: body.query, rootValue: root, variableValues: (body.variables ?? {}) as Record<string, unknown> })
      .then((result) => (result.errors?.length ? reject(200, `execution: ${result.errors.map((e) => e.message).join('; ')}`, result) : { status: 200, body: result }));
  };
  return Object.assign(state, { handler });
}
