// A Housecall Pro stand-in for the routes firstring uses, checking requests against Housecall Pro's
// public OpenAPI document ("Housecall v1 API", https://api.housecallpro.com; copy read from
// ToDucThanh/housecallpro-mcp housecall_v1.yaml, see docs/crm-adapters.md): `Authorization: Token`,
// JSON bodies whose keys are those of CustomerCreate / JobCreate / LeadCreate, the required fields
// of each, and ids that belong together (a job's address must be one of its customer's). What the
// real API answers on a refusal is not documented; the stand-in answers 401 or 422 with an
// `{ error: { message } }` body (the document's ErrorResponse shape).
import type { RecordedRequest, Reply } from './recording-server.js';

export interface HcpAddressRecord { id: string; type: 'billing' | 'service'; street?: string; zip?: string; city?: string; state?: string; country?: string }
export interface HcpCustomerRecord { id: string; first_name?: string; last_name?: string; mobile_number?: string; home_number?: string; work_number?: string; tags?: string[]; addresses: HcpAddressRecord[] }

export interface HousecallStandIn {
  handler: (req: RecordedRequest) => Reply;
  /** Everything the stand-in rejected, as "<status> <reason>". */
  problems: string[];
  customers: HcpCustomerRecord[];
  jobs: Array<Record<string, unknown> & { id: string }>;
  leads: Array<Record<string, unknown> & { id: string }>;
}

const CUSTOMER_CREATE = ['first_name', 'last_name', 'email', 'company', 'notifications_enabled', 'mobile_number', 'home_number', 'work_number', 'tags', 'lead_source', 'notes', 'addresses'];
const CUSTOMER_ADDRESS = ['street', 'street_line_2', 'city', 'state', 'zip', 'country'];
const CUSTOMER_NAMING = ['first_name', 'last_name', 'email', 'mobile_number', 'home_number', 'work_number'];
const JOB_CREATE = ['invoice_number', 'customer_id', 'address_id', 'schedule', 'assigned_employee_ids', 'line_items', 'tags', 'lead_source', 'notes', 'job_fields'];
const JOB_SCHEDULE = ['scheduled_start', 'scheduled_end', 'arrival_window', 'anytime', 'anytime_start_date'];
const LEAD_CREATE = ['customer_id', 'customer', 'assigned_employee_id', 'address_id', 'address', 'lead_source', 'line_items', 'note', 'tags', 'tax_name', 'tax_rate'];
const LEAD_ADDRESS = ['city', 'state', 'street', 'street_line_2', 'zip'];
const LIST_QUERY = ['q', 'page', 'page_size', 'sort_by', 'sort_direction', 'location_ids', 'expand'];

const unknownKeys = (o: Record<string, unknown>, allowed: string[]) => Object.keys(o).filter((k) => !allowed.includes(k));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const digits = (s: string | undefined) => (s ?? '').replace(/\D/g, '');
const isStringList = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((t) => typeof t === 'string'));

export function housecallStandIn(opts: { apiKey: string; customers?: HcpCustomerRecord[] }): HousecallStandIn {
  const state: Omit<HousecallStandIn, 'handler'> = { problems: [], customers: [...(opts.customers ?? [])], jobs: [], leads: [] };
  let seq = 0;
  const reject = (status: number, reason: string): Reply => {
    state.problems.push(`${status} ${reason}`);
    return { status, body: { error: { message: reason } } };
  };

  function createCustomer(body: Record<string, unknown>): Reply {
    const extra = unknownKeys(body, CUSTOMER_CREATE);
    if (extra.length) return reject(422, `unknown CustomerCreate fields ${extra.join(', ')}`);
    if (!CUSTOMER_NAMING.some((k) => typeof body[k] === 'string' && body[k] !== '')) return reject(422, `one of ${CUSTOMER_NAMING.join(', ')} is required`);
    if (!isStringList(body.tags)) return reject(422, 'tags must be a list of strings');
    const addresses = body.addresses ?? [];
    if (!Array.isArray(addresses) || !addresses.every(isObject)) return reject(422, 'addresses must be a list of objects');
    for (const a of addresses) {
      const bad = unknownKeys(a, CUSTOMER_ADDRESS);
      if (bad.length) return reject(422, `unknown address fields ${bad.join(', ')}`);
    }
    const customer: HcpCustomerRecord = {
      ...(body as Omit<HcpCustomerRecord, 'id' | 'addresses'>),
      id: `cus_${++seq}`,
      addresses: addresses.map((a) => ({ ...(a as Omit<HcpAddressRecord, 'id' | 'type'>), id: `adr_${++seq}`, type: 'service' as const })),
    };
    state.customers.push(customer);
    return { status: 201, body: customer };
  }

  function ownedAddress(customerId: unknown, addressId: unknown): HcpCustomerRecord | string {
    const customer = state.customers.find((c) => c.id === customerId);
    if (!customer) return 'customer not found';
    if (addressId !== undefined && !customer.addresses.some((a) => a.id === addressId)) return 'address does not belong to the customer';
    return customer;
  }

  function createJob(body: Record<string, unknown>): Reply {
    const extra = unknownKeys(body, JOB_CREATE);
    if (extra.length) return reject(422, `unknown JobCreate fields ${extra.join(', ')}`);
    if (typeof body.customer_id !== 'string' || typeof body.address_id !== 'string') return reject(422, 'customer_id and address_id are required');
    if (body.schedule !== undefined) {
      if (!isObject(body.schedule)) return reject(422, 'schedule must be an object');
      const bad = unknownKeys(body.schedule, JOB_SCHEDULE);
      if (bad.length) return reject(422, `unknown schedule fields ${bad.join(', ')}`);
    }
    if (!isStringList(body.tags)) return reject(422, 'tags must be a list of strings');
    const owner = ownedAddress(body.customer_id, body.address_id);
    if (typeof owner === 'string') return reject(422, owner);
    const job = { ...body, id: `job_${++seq}` };
    state.jobs.push(job);
    return { status: 201, body: job };
  }

  function createLead(body: Record<string, unknown>): Reply {
    const extra = unknownKeys(body, LEAD_CREATE);
    if (extra.length) return reject(422, `unknown LeadCreate fields ${extra.join(', ')}`);
    if (body.customer_id === undefined && body.customer === undefined) return reject(422, 'customer_id or customer is required');
    if (body.address !== undefined) {
      if (!isObject(body.address)) return reject(422, 'address must be an object');
      const bad = unknownKeys(body.address, LEAD_ADDRESS);
      if (bad.length) return reject(422, `unknown lead address fields ${bad.join(', ')}`);
    }
    if (!isStringList(body.tags)) return reject(422, 'tags must be a list of strings');
    if (body.customer_id !== undefined) {
      const owner = ownedAddress(body.customer_id, body.address_id);
      if (typeof owner === 'string') return reject(422, owner);
    }
    const lead = { ...body, id: `lead_${++seq}` };
    state.leads.push(lead);
    return { status: 201, body: lead };
  }

  const handler = (req: RecordedRequest): Reply => {
    if (req.headers.authorization !== `Token ${opts.apiKey}`) return reject(401, 'bad Authorization header');
    const url = new URL(req.url, 'http://x');
    if (req.method === 'GET' && url.pathname === '/customers') {
      const extra = [...url.searchParams.keys()].filter((k) => !LIST_QUERY.includes(k));
      if (extra.length) return reject(422, `unknown query parameters ${extra.join(', ')}`);
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      // The document: q searches "name, email, mobile number and address".
      const found = state.customers.filter((c) => `${c.first_name ?? ''} ${c.last_name ?? ''}`.toLowerCase().includes(q)
        || (digits(q) !== '' && digits(c.mobile_number).includes(digits(q))));
      const pageSize = Number(url.searchParams.get('page_size') ?? 10);
      return { status: 200, body: { page: 1, page_size: pageSize, total_pages: 1, total_items: found.length, customers: found.slice(0, pageSize) } };
    }
    if (req.method !== 'POST') return reject(404, `no route ${req.method} ${url.pathname}`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return reject(415, 'not application/json');
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return reject(400, 'body is not JSON');
    }
    if (!isObject(body)) return reject(400, 'body is not an object');
    if (url.pathname === '/customers') return createCustomer(body);
    if (url.pathname === '/jobs') return createJob(body);
    if (url.pathname === '/leads') return createLead(body);
    return reject(404, `no route POST ${url.pathname}`);
  };
  return Object.assign(state, { handler });
}
