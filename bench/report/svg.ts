/** Inline SVG charts with no external assets: a line chart and a bar chart. */

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];
const W = 640;
const H = 320;
const PAD = { l: 60, r: 150, t: 30, b: 45 };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0];
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step - 1e-9);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

function frame(title: string, xLabel: string, yLabel: string, xt: number[], yt: number[], sx: (v: number) => number, sy: (v: number) => number): string {
  let s = `<text x="${W / 2 - PAD.r / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`;
  s += `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#333"/>`;
  s += `<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="#333"/>`;
  for (const v of yt) {
    const y = sy(v).toFixed(1);
    s += `<line x1="${PAD.l}" y1="${y}" x2="${W - PAD.r}" y2="${y}" stroke="#eee"/><text x="${PAD.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(v)}</text>`;
  }
  for (const v of xt) {
    const x = sx(v).toFixed(1);
    s += `<line x1="${x}" y1="${H - PAD.b}" x2="${x}" y2="${H - PAD.b + 4}" stroke="#333"/><text x="${x}" y="${H - PAD.b + 16}" text-anchor="middle" font-size="11">${fmt(v)}</text>`;
  }
  s += `<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`;
  s += `<text transform="translate(14 ${(PAD.t + H - PAD.b) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`;
  return s;
}

function legend(names: string[]): string {
  return names
    .map((n, i) => {
      const y = PAD.t + 8 + i * 18;
      const c = PALETTE[i % PALETTE.length] as string;
      return `<rect x="${W - PAD.r + 12}" y="${y - 6}" width="12" height="12" fill="${c}"/><text x="${W - PAD.r + 30}" y="${y}" dominant-baseline="middle" font-size="11">${escapeXml(n)}</text>`;
    })
    .join('');
}

/** Line chart of several series sharing axes; NaN points are skipped. */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xt = niceTicks(Math.min(0, ...xs), Math.max(1, ...xs));
  const yt = niceTicks(0, Math.max(1, ...ys));
  const [x0, x1] = [xt[0] as number, xt[xt.length - 1] as number];
  const y1 = yt[yt.length - 1] as number;
  const sx = (v: number): number => PAD.l + ((v - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const sy = (v: number): number => H - PAD.b - (v / (y1 || 1)) * (H - PAD.t - PAD.b);
  let body = frame(title, xLabel, yLabel, xt, yt, sx, sy);
  series.forEach((s, i) => {
    const c = PALETTE[i % PALETTE.length] as string;
    const ok = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (ok.length > 1) body += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${ok.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`;
    for (const [x, y] of ok) body += `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${c}"><title>${escapeXml(`${s.name}: ${fmt(x)} → ${fmt(y)}`)}</title></circle>`;
  });
  body += legend(series.map((s) => s.name));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" role="img"><title>${escapeXml(title)}</title>${body}</svg>`;
}

export interface Bar {
  label: string;
  value: number;
}

/** Vertical bars, one per label, of one or more groups (colour per group). */
export function barChart(title: string, xLabel: string, yLabel: string, groups: Array<{ name: string; bars: Bar[] }>): string {
  const labels = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.label)))];
  const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0))));
  const yt = niceTicks(0, max);
  const y1 = yt[yt.length - 1] as number;
  const plotW = W - PAD.l - PAD.r;
  const slot = plotW / Math.max(1, labels.length);
  const bw = Math.max(1, (slot * 0.8) / Math.max(1, groups.length));
  const sy = (v: number): number => H - PAD.b - (v / (y1 || 1)) * (H - PAD.t - PAD.b);
  let body = frame(title, xLabel, yLabel, [], yt, () => 0, sy);
  const every = Math.max(1, Math.ceil(labels.length / 12));
  // Long labels (route names) are slanted so neighbours do not overlap.
  const slant = labels.some((l) => l.length > 6);
  labels.forEach((l, i) => {
    if (i % every !== 0) return;
    const x = (PAD.l + slot * (i + 0.5)).toFixed(1);
    const y = H - PAD.b + 14;
    body += slant
      ? `<text transform="translate(${x} ${y}) rotate(-20)" text-anchor="end" font-size="9">${escapeXml(l.length > 28 ? `${l.slice(0, 27)}…` : l)}</text>`
      : `<text x="${x}" y="${y + 2}" text-anchor="middle" font-size="10">${escapeXml(l)}</text>`;
  });
  groups.forEach((g, gi) => {
    const c = PALETTE[gi % PALETTE.length] as string;
    for (const b of g.bars) {
      if (!Number.isFinite(b.value) || b.value <= 0) continue;
      const i = labels.indexOf(b.label);
      const x = PAD.l + slot * i + slot * 0.1 + gi * bw;
      const y = sy(b.value);
      body += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - PAD.b - y).toFixed(1)}" fill="${c}"><title>${escapeXml(`${g.name} ${b.label}: ${fmt(b.value)}`)}</title></rect>`;
    }
  });
  body += legend(groups.map((g) => g.name));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" role="img"><title>${escapeXml(title)}</title>${body}</svg>`;
}
