/**
 * A Returning.AI integration API simulator: the documented status update, the inferred order
 * and status reads, Bearer API-key auth (401 unknown key, 403 key without the permission),
 * validation with `{status:"error", message}` envelopes, and order state seeded with demo data.
 */
import { createSimulator, type SimRequest, type SimResponse, type Simulator } from '../../sim/kit.js';
import type { SimulatorOptions } from '../types.js';
import { RETURNING_AI_PATHS, type ReturningAiOrder, type ReturningAiStatus } from './wire.js';

/** The demo community's integration API key, with every permission. */
export const SANDBOX_API_KEY = 'rai_sandbox_integration_key';
/** A valid key that may read but lacks the permission to update redemption transactions [I]. */
export const LIMITED_API_KEY = 'rai_sandbox_limited_key';

export const DEMO_STATUS_IDS = {
  processing: '695dcc370ab8622381f27918',
  shipping: '695e2f8b3358520a2ecf86e4',
  delivered: '695e2f8b3358520a2ecf86e5',
  cancelled: '695e2f8b3358520a2ecf86e6',
} as const;

export const DEMO_STATUSES: readonly ReturningAiStatus[] = [
  { _id: DEMO_STATUS_IDS.processing, name: 'Processing', category: 'incomplete', color: '#F5A623' },
  { _id: DEMO_STATUS_IDS.shipping, name: 'Shipping', category: 'incomplete', color: '#3EA1FD' },
  { _id: DEMO_STATUS_IDS.delivered, name: 'Delivered', category: 'complete', color: '#27AE60' },
  { _id: DEMO_STATUS_IDS.cancelled, name: 'Cancelled', category: 'cancelled', color: '#EB5757' },
];

export const DEMO_TRANSACTION_IDS = {
  processing: 'ORD202507013831',
  shipping: 'ORD20260102ffc6',
  delivered: 'ORD20260103a1b2',
} as const;

interface OrderRecord {
  transactionId: string;
  statusId: string;
  createdAt: string;
  updatedAt: string;
}

/** Seeded orders; fixed timestamps so reads are deterministic. */
export const DEMO_ORDERS: readonly OrderRecord[] = [
  { transactionId: DEMO_TRANSACTION_IDS.processing, statusId: DEMO_STATUS_IDS.processing, createdAt: '2025-07-01T09:30:00.000Z', updatedAt: '2025-07-01T09:30:00.000Z' },
  { transactionId: DEMO_TRANSACTION_IDS.shipping, statusId: DEMO_STATUS_IDS.shipping, createdAt: '2026-01-02T10:00:00.000Z', updatedAt: '2026-01-02T14:15:00.000Z' },
  { transactionId: DEMO_TRANSACTION_IDS.delivered, statusId: DEMO_STATUS_IDS.delivered, createdAt: '2026-01-03T08:00:00.000Z', updatedAt: '2026-01-05T16:45:00.000Z' },
];

/** Mongoose's ObjectId check: 24 hex digits, either case. */
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

export const returningAiErrorBody = (_status: number, message: string) => ({ status: 'error', message });

const fail = (status: number, message: string): SimResponse => ({ status, body: returningAiErrorBody(status, message) });

export function createReturningAiSimulator(options: SimulatorOptions = {}): Simulator {
  const now = options.now ?? Date.now;
  const statuses = new Map<string, ReturningAiStatus>();
  const orders = new Map<string, OrderRecord>();

  function seed() {
    statuses.clear();
    orders.clear();
    for (const status of DEMO_STATUSES) statuses.set(status._id, { ...status });
    for (const order of DEMO_ORDERS) orders.set(order.transactionId, { ...order });
  }
  seed();

  /** 401 for a missing or unknown key; 403 when the call needs a permission the key lacks. */
  function refuse(request: SimRequest, write: boolean): SimResponse | undefined {
    const auth = request.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    if (key !== SANDBOX_API_KEY && key !== LIMITED_API_KEY) return fail(401, 'Unauthorized: missing or invalid API key');
    if (write && key === LIMITED_API_KEY) return fail(403, 'Forbidden: API key lacks the redemption permission');
    return undefined;
  }

  const orderView = (order: OrderRecord): ReturningAiOrder => ({
    transactionId: order.transactionId,
    statusId: order.statusId,
    status: { ...statuses.get(order.statusId)! },
  });

  function updateStatus(request: SimRequest): SimResponse {
    const refused = refuse(request, true);
    if (refused) return refused;
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, 'Invalid request body');
    const { transactionId, statusId } = body as Record<string, unknown>;
    if (typeof transactionId !== 'string' || transactionId.trim() === '') return fail(400, 'transactionId is required');
    if (typeof statusId !== 'string' || statusId === '') return fail(400, 'statusId is required');
    if (!OBJECT_ID.test(statusId)) return fail(400, 'statusId must be a valid ObjectId');
    const order = orders.get(transactionId);
    if (!order) return fail(404, 'Redemption transaction not found');
    const status = statuses.get(statusId.toLowerCase());
    if (!status) return fail(404, 'Redemption status not found');
    // Setting the status an order already has is accepted and changes nothing [I].
    if (order.statusId !== status._id) {
      order.statusId = status._id;
      order.updatedAt = new Date(now()).toISOString();
    }
    return {
      status: 200,
      body: { status: 'success', message: 'Transaction status updated successfully', data: orderView(order) },
    };
  }

  // [I] The order read: the documented order shape plus its timestamps.
  function getOrder(request: SimRequest): SimResponse {
    const refused = refuse(request, false);
    if (refused) return refused;
    const order = orders.get(request.params.transactionId ?? '');
    if (!order) return fail(404, 'Redemption transaction not found');
    return {
      status: 200,
      body: { status: 'success', data: { ...orderView(order), createdAt: order.createdAt, updatedAt: order.updatedAt } },
    };
  }

  // [I] The status list: the community's status records in the documented status shape.
  function listStatuses(request: SimRequest): SimResponse {
    const refused = refuse(request, false);
    if (refused) return refused;
    return {
      status: 200,
      body: { status: 'success', message: 'Redemption statuses retrieved successfully', data: [...statuses.values()].map((s) => ({ ...s })) },
    };
  }

  return createSimulator({
    name: 'returningai',
    routes: [
      { route: `PUT ${RETURNING_AI_PATHS.updateStatus}`, handler: updateStatus },
      { route: `GET ${RETURNING_AI_PATHS.order.replace('{transactionId}', ':transactionId')}`, handler: getOrder },
      { route: `GET ${RETURNING_AI_PATHS.statuses}`, handler: listStatuses },
    ],
    errorBody: returningAiErrorBody,
    reset: seed,
  });
}
