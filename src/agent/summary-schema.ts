// The call summary: one stable shape, expressed in zod; docs/summary.schema.json is generated from it.
import { z } from 'zod';

const isoDateTime = z.iso.datetime({ offset: true });

export const CallSummarySchema = z
  .object({
    callId: z.string().min(1),
    tenantId: z.string().min(1),
    channel: z.enum(['webrtc', 'sip', 'text']),
    language: z.enum(['en', 'fr']),
    startedAt: isoDateTime,
    endedAt: isoDateTime,
    intent: z.enum(['service_request', 'emergency', 'scheduling', 'follow_up', 'question', 'complaint', 'sales', 'other']),
    urgency: z.enum(['emergency', 'urgent', 'routine']),
    trade: z.enum(['hvac', 'plumbing', 'electrical']).nullable(),
    problem: z.string().nullable().describe('One or two sentences in the caller\'s words.'),
    caller: z.object({
      name: z.string().nullable(),
      phone: z.string().nullable().describe('E.164'),
    }).strict(),
    serviceAddress: z.object({
      line: z.string().nullable(),
      postalCode: z.string().nullable(),
      inServiceArea: z.boolean().nullable(),
    }).strict(),
    preferredTime: z.string().nullable(),
    outcome: z.enum(['booked', 'request_created', 'escalated', 'transferred', 'message_taken', 'info_provided', 'out_of_area', 'abandoned']),
    appointment: z
      .object({ start: isoDateTime, end: isoDateTime, technician: z.string() })
      .strict()
      .optional()
      .describe('Present when outcome is booked.'),
    transferTo: z.string().optional().describe('SIP URI or E.164; present when the call was transferred.'),
    followUps: z.array(z.string()),
    transcript: z.array(
      z.object({
        speaker: z.enum(['caller', 'agent']),
        text: z.string(),
        at: isoDateTime,
      }).strict(),
    ),
  })
  .strict();

export type CallSummary = z.infer<typeof CallSummarySchema>;

/** JSON Schema (draft 2020-12) of the summary, as published in docs/summary.schema.json. */
export function summaryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(CallSummarySchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://firstring.dev/schemas/call-summary.json',
    title: 'firstring call summary',
    ...schema,
  };
}
