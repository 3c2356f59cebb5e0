import { describe, expect, it } from 'vitest';
import { CallLatency } from '../../src/media/webrtc-call-record.js';
import { createMetrics } from '../../src/observability/metrics.js';

describe('per-call latency marks', () => {
  it('derives setup, end-of-utterance, end-to-end and interruption figures per turn', async () => {
    const metrics = createMetrics(false);
    const l = new CallLatency(1000, metrics);
    l.mark('first_packet_in', 1300);
    l.mark('first_agent_packet_out', 1350); // greeting
    l.mark('speech_start', 4000);
    l.mark('speech_end', 5000);
    l.mark('end_of_turn', 5600);
    l.mark('first_agent_packet_out', 5620);
    l.mark('speech_start', 6000);
    l.mark('barge_in_detected', 6240);
    l.mark('agent_audio_stopped', 6250);
    const s = l.summary;
    expect(s.firstPacketIn).toBe(1300);
    expect(s.setupMs).toBe(350);
    expect(s.turns).toHaveLength(2);
    expect(s.turns[0]).toMatchObject({ endOfUtteranceDelayMs: 600, endToEndMs: 620 });
    expect(s.turns[1]).toMatchObject({ bargeInDetected: 6240, interruptionStopMs: 10 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/firstring_end_of_utterance_delay_seconds_sum 0\.6\b/);
    expect(text).toMatch(/firstring_end_to_end_seconds_sum 0\.62\b/);
    expect(text).toMatch(/firstring_interruption_stop_seconds_count 1/);
    expect(text).toMatch(/firstring_call_setup_seconds_count 1/);
  });

  it('pairs a stop that arrived before its barge-in mark (media thread and handler thread report apart), not an older one', () => {
    const l = new CallLatency(0, createMetrics(false));
    l.mark('speech_start', 1000);
    l.mark('agent_audio_stopped', 900);
    l.mark('barge_in_detected', 1060);
    expect(l.summary.turns[0]?.interruptionStopMs).toBeUndefined();
    l.mark('speech_start', 5000);
    l.mark('agent_audio_stopped', 5080);
    l.mark('barge_in_detected', 5060);
    expect(l.summary.turns.at(-1)).toMatchObject({ bargeInDetected: 5060, agentAudioStopped: 5080, interruptionStopMs: 20 });
  });

  it('computes a turn whose first agent packet was reported before its end-of-turn mark', () => {
    const l = new CallLatency(0, createMetrics(false));
    l.mark('speech_start', 4000);
    l.mark('speech_end', 5000);
    l.mark('first_agent_packet_out', 5620);
    l.mark('end_of_turn', 5600);
    expect(l.summary.turns[0]).toMatchObject({ endOfTurn: 5600, firstAgentPacketOut: 5620, endOfUtteranceDelayMs: 600, endToEndMs: 620 });
    // A packet before the end-of-turn decision (not the reply) is not counted.
    l.mark('speech_start', 8000);
    l.mark('speech_end', 9000);
    l.mark('first_agent_packet_out', 9100);
    l.mark('end_of_turn', 9500);
    expect(l.summary.turns[1]?.endToEndMs).toBeUndefined();
  });

  it('ignores an agent_audio_stopped without a barge-in (a reply that simply ended)', () => {
    const l = new CallLatency(0, createMetrics(false));
    l.mark('agent_audio_stopped', 10);
    expect(l.summary.turns).toEqual([]);
  });
});
