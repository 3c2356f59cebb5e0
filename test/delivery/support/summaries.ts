// Call summaries in the issue-4 shape (with channel and transcript, which delivery passes through).
import type { CallSummary } from '../../../src/delivery/summary-view.js';

type FullSummary = Omit<CallSummary, 'transcript'> & { channel: string; transcript: Array<{ speaker: string; text: string; at: string }> };

export function frenchEmergency(callId = 'call-fr-1'): FullSummary {
  return {
    callId,
    tenantId: 'demo',
    channel: 'sip',
    language: 'fr',
    startedAt: '2026-12-01T10:00:00-05:00',
    endedAt: '2026-12-01T10:03:10-05:00',
    intent: 'emergency',
    urgency: 'emergency',
    trade: 'plumbing',
    problem: "Un tuyau a éclaté au sous-sol, l'eau coule partout.",
    caller: { name: 'Sylvie Côté', phone: '+15145550123' },
    serviceAddress: { line: '4520 rue Saint-Denis', postalCode: 'H2J 2L3', inServiceArea: true },
    preferredTime: 'dès que possible',
    outcome: 'escalated',
    followUps: ['Rappeler la cliente après le passage du technicien'],
    transcript: [
      { speaker: 'agent', text: 'Plomberie Mont-Royal, bonjour!', at: '2026-12-01T10:00:01-05:00' },
      { speaker: 'caller', text: "Un tuyau a éclaté au sous-sol, l'eau coule partout.", at: '2026-12-01T10:00:05-05:00' },
    ],
  };
}

export function englishBooking(callId = 'call-en-1'): FullSummary {
  return {
    callId,
    tenantId: 'demo',
    channel: 'webrtc',
    language: 'en',
    startedAt: '2026-12-01T14:00:00-05:00',
    endedAt: '2026-12-01T14:04:00-05:00',
    intent: 'service_request',
    urgency: 'routine',
    trade: 'hvac',
    problem: 'The furnace makes a loud banging noise when it starts.',
    caller: { name: 'John Smith', phone: '+15145550199' },
    serviceAddress: { line: '1200 Avenue Greene', postalCode: 'H3Z 2A9', inServiceArea: true },
    preferredTime: 'Thursday morning',
    outcome: 'booked',
    appointment: { start: '2026-12-03T09:00:00-05:00', end: '2026-12-03T11:00:00-05:00', technician: 'Marc' },
    followUps: [],
    transcript: [{ speaker: 'caller', text: 'My furnace is banging.', at: '2026-12-01T14:00:04-05:00' }],
  };
}
