// Tenant configuration: one business, validated with zod at load.
import { z } from 'zod';
import { IANAZone, DateTime } from 'luxon';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { EMPTY_CALL_POLICIES } from '../../delivery/targets-schema.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:MM (24 h)');
const isoDate = z.string().refine((s) => DateTime.fromISO(s).isValid && /^\d{4}-\d{2}-\d{2}$/.test(s), 'expected a date as YYYY-MM-DD');
const e164 = z.string().refine((s) => {
  const p = parsePhoneNumberFromString(s);
  return s.startsWith('+') && p !== undefined && p.isValid();
}, 'expected a valid E.164 phone number like +15145550123');
/** A transfer target: a SIP URI (RFC 3261 section 19.1) or an E.164 number. */
const transferTarget = z.string().refine(
  (s) => /^sips?:[^@\s]+@[^@\s]+$/.test(s) || (s.startsWith('+') && parsePhoneNumberFromString(s)?.isValid() === true),
  'expected a SIP URI (sip:user@host) or an E.164 number',
);
const bilingual = z.object({ en: z.string().min(1).optional(), fr: z.string().min(1).optional() }).strict();

const Interval = z
  .object({ open: hhmm, close: hhmm })
  .strict()
  .refine((i) => i.open < i.close, 'open must be before close');
const WeekHours = z
  .object({
    monday: z.array(Interval).default([]),
    tuesday: z.array(Interval).default([]),
    wednesday: z.array(Interval).default([]),
    thursday: z.array(Interval).default([]),
    friday: z.array(Interval).default([]),
    saturday: z.array(Interval).default([]),
    sunday: z.array(Interval).default([]),
  })
  .strict();

export const TRADES = ['hvac', 'plumbing', 'electrical'] as const;
export const EMERGENCY_KINDS = [
  'gas_smell', 'burst_pipe', 'flooding', 'no_heat', 'sparking', 'burning_smell', 'no_power', 'sewage_backup',
] as const;
export type EmergencyKind = (typeof EMERGENCY_KINDS)[number];

const EmergencyRule = z
  .object({
    kind: z.enum(EMERGENCY_KINDS),
    trade: z.enum(TRADES),
    /** Life at risk: safety instructions are given before anything else. */
    lifeSafety: z.boolean().default(false),
    safety: bilingual.optional(),
  })
  .strict();

const Technician = z
  .object({
    name: z.string().min(1),
    trades: z.array(z.enum(TRADES)).min(1),
    hours: WeekHours.optional(),
  })
  .strict();

const OnCall = z.object({ name: z.string().min(1), phone: e164 }).strict();

const Route = z
  .object({
    target: transferTarget,
    /** 'business': only during opening hours; 'always': at any time. */
    when: z.enum(['business', 'always']).default('business'),
  })
  .strict();

const Faq = z
  .object({
    id: z.string().min(1),
    keywords: z.object({ en: z.array(z.string().min(1)).default([]), fr: z.array(z.string().min(1)).default([]) }).strict(),
    answer: bilingual,
  })
  .strict();

/** Barge-in defaults: Vapi interrupts after 0.2 s of caller voice (jambonz 250 ms, LiveKit 0.5 s); see docs/vad-barge-in.md. */
export const BARGE_IN_DEFAULTS = { minSpeechMs: 60, confirmSpeechMs: 1000, echoMarginDb: 6, echoReturnLossDb: 20 } as const;

/**
 * When caller voice over the agent interrupts it, in two stages (docs/pipeline.md "Barge-in"):
 * the native detector (native/src/barge_in.h) pauses the agent after `minSpeechMs` of voice
 * above the expected echo; the pipeline then confirms the interruption once the caller's speech
 * has lasted `confirmSpeechMs` from its onset (VAD hangover included) or its transcript is not a
 * backchannel, and otherwise resumes the agent where it paused.
 */
const BargeIn = z
  .object({
    /** Caller voice over the agent that pauses it (stage one), ms. */
    minSpeechMs: z.number().int().min(20).max(2000).default(BARGE_IN_DEFAULTS.minSpeechMs),
    /** Caller speech, from its onset, that confirms the interruption without waiting for its transcript (stage two), ms: at or under `minSpeechMs`, speech still going 100 ms after the pause confirms it. */
    confirmSpeechMs: z.number().int().min(20).max(5000).default(BARGE_IN_DEFAULTS.confirmSpeechMs),
    /** Caller energy must exceed the expected echo of the agent by this much, dB. */
    echoMarginDb: z.number().min(0).max(40).default(BARGE_IN_DEFAULTS.echoMarginDb),
    /** Attenuation of the agent's audio on its way back through the caller's side, dB. */
    echoReturnLossDb: z.number().min(0).max(80).default(BARGE_IN_DEFAULTS.echoReturnLossDb),
  })
  .strict();

export const TenantSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes'),
    name: z.string().min(1),
    trades: z.array(z.enum(TRADES)).min(1),
    languages: z.array(z.enum(['en', 'fr'])).min(1),
    defaultLanguage: z.enum(['en', 'fr']),
    timeZone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'expected an IANA time zone like America/Toronto'),
    greeting: bilingual,
    hours: WeekHours,
    holidays: z.array(isoDate).default([]),
    afterHours: z
      .object({
        /** What a routine request gets outside opening hours. */
        routine: z.enum(['book', 'request', 'message']).default('request'),
      })
      .strict()
      .default({ routine: 'request' }),
    serviceArea: z
      .object({
        postalPrefixes: z
          .array(z.string().regex(/^([A-Za-z]\d[A-Za-z]?|\d{3,5})$/, 'expected a Canadian FSA like H4T (or H4) or a US ZIP code or prefix like 054'))
          .min(1),
        outOfArea: bilingual,
      })
      .strict(),
    emergencies: z
      .object({
        rules: z.array(EmergencyRule).min(1),
        /** No heat is an emergency in these months (1-12) unless the caller reports an indoor temperature at or above the threshold. */
        noHeat: z
          .object({ months: z.array(z.number().int().min(1).max(12)).default([11, 12, 1, 2, 3]), indoorBelowC: z.number().default(16) })
          .strict()
          .default({ months: [11, 12, 1, 2, 3], indoorBelowC: 16 }),
        action: z.enum(['page', 'transfer']).default('page'),
        callbackMinutes: z.number().int().positive().default(15),
      })
      .strict(),
    routing: z
      .object({
        /** Weekly rotation: ISO week number modulo the list length picks the on-call person. */
        onCall: z.array(OnCall).min(1),
        complaint: Route.optional(),
        sales: Route.optional(),
        office: Route.optional(),
      })
      .strict(),
    booking: z
      .object({
        mode: z.enum(['book', 'request_only']).default('book'),
        appointmentTypes: z
          .array(z.object({ id: z.string().min(1), trade: z.enum(TRADES), durationMinutes: z.number().int().min(15).max(600) }).strict())
          .min(1),
        technicians: z.array(Technician).min(1),
        leadTimeMinutes: z.number().int().min(0).default(120),
        horizonDays: z.number().int().min(1).max(90).default(14),
        slotStepMinutes: z.number().int().min(15).default(60),
      })
      .strict(),
    faqs: z.array(Faq).default([]),
    notifications: z
      .object({
        sms: z.array(e164).default([]),
        email: z.array(z.email()).default([]),
        webhook: z.object({ url: z.url(), secret: z.string().min(16) }).strict().optional(),
        emptyCalls: z.enum(EMPTY_CALL_POLICIES).default('webhook'),
      })
      .strict()
      .default({ sms: [], email: [], emptyCalls: 'webhook' }),
    bargeIn: BargeIn.default({ ...BARGE_IN_DEFAULTS }),
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const lang of t.languages) {
      if (!t.greeting[lang]) ctx.addIssue({ code: 'custom', path: ['greeting', lang], message: `missing greeting for language ${lang}` });
      if (!t.serviceArea.outOfArea[lang]) ctx.addIssue({ code: 'custom', path: ['serviceArea', 'outOfArea', lang], message: `missing text for language ${lang}` });
    }
    if (!t.languages.includes(t.defaultLanguage)) ctx.addIssue({ code: 'custom', path: ['defaultLanguage'], message: 'must be one of languages' });
    t.booking.technicians.forEach((tech, i) => {
      tech.trades.forEach((tr, j) => {
        if (!t.trades.includes(tr)) ctx.addIssue({ code: 'custom', path: ['booking', 'technicians', i, 'trades', j], message: `trade ${tr} is not offered by the tenant` });
      });
    });
    t.emergencies.rules.forEach((r, i) => {
      if (r.lifeSafety) {
        for (const lang of t.languages) {
          if (!r.safety?.[lang]) ctx.addIssue({ code: 'custom', path: ['emergencies', 'rules', i, 'safety', lang], message: 'a life-safety rule needs safety instructions in every language' });
        }
      }
    });
    for (const tr of t.trades) {
      if (!t.booking.appointmentTypes.some((a) => a.trade === tr)) ctx.addIssue({ code: 'custom', path: ['booking', 'appointmentTypes'], message: `no appointment type for trade ${tr}` });
    }
  });

export type Tenant = z.infer<typeof TenantSchema>;
export type WeekHoursConfig = z.infer<typeof WeekHours>;
export type EmergencyRuleConfig = z.infer<typeof EmergencyRule>;
export type BargeInSettings = z.infer<typeof BargeIn>;
