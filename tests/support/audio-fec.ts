import type { Page } from 'playwright-core';
import type { AdaptationRig } from './adaptation.js';
import type { Direction } from './netlab.js';

/*
 * Opus in-band FEC on the network rig (issue 9 item 5, "audio is protected first"), shared by
 * tests/e2e/audio-fec.test.ts and `npm run bench:audio-fec`.
 *
 * How FEC reaches a receiver whose downlink loses packets, although the sender's own link is
 * clean: the sender's Opus encoder adds FEC (LBRR) only when the RTCP receiver reports about
 * its stream say packets are lost. mediasoup terminates RTCP, but for a producer whose Opus
 * parameters carry `useinbandfec=1` (the client's `opusFec: true`) it puts the worst fraction
 * lost reported by that producer's consumers into the reports it sends the producer
 * (RtpStreamRecv::GetRtcpReceiverReport, "worst remote fraction lost"; LiveKit does the same
 * with its MediaLossProxy). The sender sees that as `fractionLost` on its remote-inbound-rtp.
 *
 * libopus then codes LBRR only in SILK or hybrid mode, which it picks for speech; with a
 * signal its analysis calls music (Chromium's fake microphone: a beep) it stays in CELT mode
 * below about 8 % loss and sends no FEC. Hence the speech-like microphone
 * (tests/support/speech-wav.ts).
 */

/** Sender init script: answers `useinbandfec=0` to itself, so its encoder codes no FEC. */
export const NO_FEC_SENDER_SCRIPT = `(() => {
  const set = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (d, ...rest) {
    if (d && d.type === 'answer' && typeof d.sdp === 'string') {
      d = { type: d.type, sdp: d.sdp.replace(/useinbandfec=1/g, 'useinbandfec=0') };
    }
    return set.call(this, d, ...rest);
  };
})()`;

interface AudioTotals {
  packetsReceived: number;
  packetsLost: number;
  fecPacketsReceived: number;
  fecPacketsDiscarded: number;
  /** Concealed samples, not counting the silence the decoder made itself. */
  concealed: number;
  samples: number;
  /** Largest `fractionLost` the receiver reports say about the page's own audio sent. */
  sentFractionLost: number;
  /** Audio packets the page has sent. */
  packetsSent: number;
}

/** Audio totals over a page's open connections (inbound audio and remote-inbound audio). */
export async function audioTotals(page: Page): Promise<AudioTotals> {
  return (await page.evaluate(`(async () => {
    const t = { packetsReceived: 0, packetsLost: 0, fecPacketsReceived: 0, fecPacketsDiscarded: 0,
      concealed: 0, samples: 0, sentFractionLost: 0, packetsSent: 0 };
    for (const pc of window.__netPcs || []) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.kind !== 'audio') return;
        if (s.type === 'inbound-rtp') {
          t.packetsReceived += s.packetsReceived || 0;
          t.packetsLost += s.packetsLost || 0;
          t.fecPacketsReceived += s.fecPacketsReceived || 0;
          t.fecPacketsDiscarded += s.fecPacketsDiscarded || 0;
          t.concealed += (s.concealedSamples || 0) - (s.silentConcealedSamples || 0);
          t.samples += s.totalSamplesReceived || 0;
        }
        if (s.type === 'outbound-rtp') t.packetsSent += s.packetsSent || 0;
        if (s.type === 'remote-inbound-rtp') {
          t.sentFractionLost = Math.max(t.sentFractionLost, s.fractionLost || 0);
        }
      });
    }
    return t;
  })()`)) as AudioTotals;
}

export interface AudioFecFigures {
  lossPercent: number;
  direction: Direction;
  seconds: number;
  /** Largest fraction lost the SFU reported to the sender (its own link is clean). */
  senderFractionLostMax: number;
  /** Audio packets the receiver lost / received during the lossy period. */
  packetsLost: number;
  packetsReceived: number;
  /** Opus FEC (LBRR) the receiver got, and how much of it it did not need. */
  fecPacketsReceived: number;
  fecPacketsDiscarded: number;
  /** FEC packets the decoder used: received minus discarded. */
  fecPacketsUsed: number;
  /** Fraction of the audio concealed (from 2 s into the loss to its end, not silence). */
  audioConcealed: number;
  /**
   * Fewest and most audio packets the sender sent in one of the run's 1 s polls: about 50
   * while it speaks, a few in silence with DTX.
   */
  senderPacketsPerSecondMin: number;
  senderPacketsPerSecondMax: number;
}

/**
 * Random loss on the receiver's link for `seconds`, polling both pages every second; the
 * sender's largest reported loss is taken from 2 s in (its first reports predate the loss).
 */
export async function fecRun(
  rig: AdaptationRig,
  opts: { fraction?: number; seconds?: number; direction?: Direction } = {},
): Promise<AudioFecFigures> {
  const { host, patient, link } = rig;
  const fraction = opts.fraction ?? 0.05;
  const seconds = opts.seconds ?? 20;
  const direction = opts.direction ?? 'down';
  await link.setLoss(0, 'both');
  await waitForAudio(patient);
  await link.setLoss(fraction, direction);
  const start = Date.now();
  const before = await audioTotals(patient);
  let settled: AudioTotals | undefined;
  let senderFractionLostMax = 0;
  const rates: number[] = [];
  let sent = { at: Date.now(), packets: (await audioTotals(host)).packetsSent };
  try {
    while (Date.now() - start < seconds * 1000) {
      await patient.waitForTimeout(1000);
      const sender = await audioTotals(host);
      const now = { at: Date.now(), packets: sender.packetsSent };
      rates.push(((now.packets - sent.packets) * 1000) / Math.max(1, now.at - sent.at));
      sent = now;
      senderFractionLostMax = Math.max(senderFractionLostMax, sender.sentFractionLost);
      if (!settled && Date.now() - start >= 2000) settled = await audioTotals(patient);
    }
  } finally {
    await link.setLoss(0, 'both');
  }
  const after = await audioTotals(patient);
  const from = settled ?? before;
  const samples = after.samples - from.samples;
  const fecReceived = after.fecPacketsReceived - before.fecPacketsReceived;
  const fecDiscarded = after.fecPacketsDiscarded - before.fecPacketsDiscarded;
  return {
    lossPercent: fraction * 100,
    direction,
    seconds,
    senderFractionLostMax,
    packetsLost: after.packetsLost - before.packetsLost,
    packetsReceived: after.packetsReceived - before.packetsReceived,
    fecPacketsReceived: fecReceived,
    fecPacketsDiscarded: fecDiscarded,
    fecPacketsUsed: fecReceived - fecDiscarded,
    audioConcealed: samples > 0 ? Math.max(0, after.concealed - from.concealed) / samples : 0,
    senderPacketsPerSecondMin: Math.min(...rates),
    senderPacketsPerSecondMax: Math.max(...rates),
  };
}

/** Until audio has been arriving at the page for 3 s in a row (60 s at most). */
export async function waitForAudio(page: Page): Promise<void> {
  const end = Date.now() + 60_000;
  let last = (await audioTotals(page)).packetsReceived;
  let steady = 0;
  while (steady < 3) {
    if (Date.now() > end) throw new Error('no audio arrived within 60 s');
    await page.waitForTimeout(1000);
    const now = (await audioTotals(page)).packetsReceived;
    steady = now > last ? steady + 1 : 0;
    last = now;
  }
}
