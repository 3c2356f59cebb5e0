import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Builds models/silero_vad_v5_16k.onnx, the Silero VAD v5 network at 16 kHz only, laid out for
 * batched CPU inference, from the upstream models/silero_vad_v5.onnx. Run by scripts/setup.sh;
 * deterministic (same bytes for the same source) and offline.
 *
 * The upstream graph chooses between its 8 kHz and 16 kHz networks with an `If` on the `sr`
 * input, and inside the 16 kHz branch runs the STFT and the four encoder layers as 1-D `Conv`s
 * whose outputs are only 4, 2, 1 and 1 frames long. onnxruntime's CPU Conv runs one small GEMM
 * per batch row (N = output frames), so at 256 calls the convolutions ran at a fraction of the
 * core's GEMM speed. Here the same weights and the same arithmetic are laid out as GEMMs over
 * all rows of the batch (M = batch x frames):
 *
 *   input [B, 576] --reflect pad 64--> [B, 640] = 5 hops of 128
 *   STFT: frame t = hops t, t+1 (256 samples), t = 0..3; spectrum = frames x basis^T [256, 258]
 *   magnitude = sqrt(re^2 + im^2) over 129 bins                                   -> [B, 4, 129]
 *   encoder 0: conv k3 s1 p1 = zero-pad time, concat 3 shifted frames, GEMM [387, 128], ReLU -> [B, 4, 128]
 *   encoder 1: conv k3 s2 p1 = windows (pad, x0, x1) and (x1, x2, x3), GEMM [384, 64], ReLU -> [B, 2, 64]
 *   encoder 2: conv k3 s2 p1 on 2 frames = taps 1, 2 on (x0, x1), GEMM [128, 64], ReLU       -> [B, 64]
 *   encoder 3: conv k3 s1 p1 on 1 frame = the middle tap, GEMM [64, 128], ReLU                -> [B, 128]
 *   decoder: the same ONNX LSTM cell (gates reordered from PyTorch's i,f,g,o to ONNX's i,o,f,c
 *   once here instead of by Slice/Concat at every run), ReLU, 1x1 conv as GEMM [128, 1], sigmoid.
 *
 * Inputs `input` [batch, 576] and `state` [2, batch, 128]; outputs `output` [batch, 1] and
 * `stateN` [2, batch, 128], as upstream minus `sr`. test/media/silero-16k.test.ts checks the
 * probabilities and states against the upstream graph on espeak-ng speech.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
export const SILERO_V5_SOURCE = path.join(root, 'models/silero_vad_v5.onnx');
export const SILERO_V5_16K = path.join(root, 'models/silero_vad_v5_16k.onnx');
/**
 * onnxruntime-web's generated protobufjs code for onnx.proto (installed with @ricky0123/vad-web,
 * which also supplies the model); its package exports do not expose it, hence the file path.
 */
const ONNX_SCHEMA = path.join(root, 'node_modules/onnxruntime-web/lib/onnxjs/ort-schema/protobuf/onnx.js');

const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;

// The subset of onnx.proto (as protobufjs decodes it) this script reads and writes.
interface TensorProto {
  name?: string;
  dims: (number | { toNumber(): number })[];
  dataType: number;
  rawData?: Uint8Array;
  int64Data?: (number | { toNumber(): number })[];
}
interface AttributeProto {
  name: string;
  type?: number;
  i?: number | { toNumber(): number };
  f?: number;
  s?: Uint8Array;
  ints?: (number | { toNumber(): number })[];
  t?: TensorProto | null;
  g?: GraphProto | null;
}
interface NodeProto {
  name?: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}
interface ValueInfoProto {
  name: string;
}
interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}
interface ModelProto {
  graph?: GraphProto | null;
}
interface OnnxSchema {
  ModelProto: {
    decode(bytes: Uint8Array): ModelProto;
    encode(model: object): { finish(): Uint8Array };
  };
}

function loadSchema(): OnnxSchema {
  if (!existsSync(ONNX_SCHEMA)) {
    throw new Error(`ONNX schema not found at ${ONNX_SCHEMA}: run npm ci (onnxruntime-web comes with @ricky0123/vad-web)`);
  }
  const mod = createRequire(import.meta.url)(ONNX_SCHEMA) as { onnx?: OnnxSchema };
  if (!mod.onnx?.ModelProto) throw new Error(`${ONNX_SCHEMA} does not export onnx.ModelProto`);
  return mod.onnx;
}

const num = (v: number | { toNumber(): number } | undefined): number => (v === undefined ? Number.NaN : typeof v === 'number' ? v : v.toNumber());

interface Weight {
  dims: number[];
  data: Float32Array;
}

/** The float Constant nodes of a graph, by name with the inliner's prefix removed. */
function constants(g: GraphProto): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const n of g.node) {
    const t = n.attribute.find((a) => a.name === 'value')?.t;
    if (n.opType !== 'Constant' || !t || t.dataType !== FLOAT || !t.rawData) continue;
    const name = n.output[0]!.replace(/^.*_branch__Inline_\d+__/, '');
    const bytes = Uint8Array.from(t.rawData); // an aligned copy (protobufjs may hand out a Buffer view)
    out.set(name, { dims: t.dims.map(num), data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) });
  }
  return out;
}

/** The upstream graph's 16 kHz branch: `If(Equal(sr, 16000))`'s then-branch. */
function branch16k(model: ModelProto): GraphProto {
  const g = model.graph;
  if (!g) throw new Error('model has no graph');
  const ifNode = g.node.find((n) => n.opType === 'If');
  const equal = g.node.find((n) => n.opType === 'Equal' && n.output[0] === ifNode?.input[0]);
  const rate = g.node.find((n) => n.opType === 'Constant' && equal?.input.includes(n.output[0]!))?.attribute[0]?.t;
  const rateValue = rate?.dataType !== INT64 ? undefined : rate.rawData?.length === 8 ? Number(Buffer.from(rate.rawData).readBigInt64LE(0)) : num(rate.int64Data?.[0]);
  if (!ifNode || !equal?.input.includes('sr') || rateValue !== 16000) {
    throw new Error('not the Silero v5 graph: expected If(Equal(sr, 16000)) at the top level');
  }
  const then = ifNode.attribute.find((a) => a.name === 'then_branch')?.g;
  if (!then) throw new Error('Silero v5 If has no then_branch');
  return then;
}

/** Checks the 1-D convolutions have the kernel, stride and padding this layout assumes. */
function checkConvs(g: GraphProto): void {
  const expect: Record<string, { kernel: number; stride: number; pad: number }> = {
    '/stft/Conv': { kernel: 256, stride: 128, pad: 0 },
    '/encoder/0/reparam_conv/Conv': { kernel: 3, stride: 1, pad: 1 },
    '/encoder/1/reparam_conv/Conv': { kernel: 3, stride: 2, pad: 1 },
    '/encoder/2/reparam_conv/Conv': { kernel: 3, stride: 2, pad: 1 },
    '/encoder/3/reparam_conv/Conv': { kernel: 3, stride: 1, pad: 1 },
  };
  for (const [suffix, want] of Object.entries(expect)) {
    const conv = g.node.find((n) => n.opType === 'Conv' && n.name?.endsWith(suffix));
    const ints = (name: string): number[] => conv?.attribute.find((a) => a.name === name)?.ints?.map(num) ?? [];
    const ok = conv && ints('kernel_shape')[0] === want.kernel && ints('strides')[0] === want.stride && ints('pads').every((p) => p === want.pad);
    if (!ok) throw new Error(`Silero v5 ${suffix}: expected kernel ${want.kernel}, stride ${want.stride}, pads ${want.pad}`);
  }
  const pad = g.node.find((n) => n.opType === 'Pad' && n.name?.endsWith('/stft/padding/Pad'));
  const mode = pad?.attribute.find((a) => a.name === 'mode')?.s;
  if (!mode || Buffer.from(mode).toString() !== 'reflect') throw new Error('Silero v5 STFT padding is not reflect');
}

/** Builds the 16 kHz batched graph from the bytes of the upstream silero_vad_v5.onnx. */
export function buildSilero16k(source: Uint8Array): Uint8Array {
  const onnx = loadSchema();
  const g16 = branch16k(onnx.ModelProto.decode(source));
  checkConvs(g16);
  const w = constants(g16);
  const get = (name: string, dims: number[]): Weight => {
    const t = w.get(name);
    if (!t || t.dims.join(',') !== dims.join(',')) throw new Error(`Silero v5 weight ${name}: expected [${dims}], found ${t ? `[${t.dims}]` : 'none'}`);
    return t;
  };

  const initializer: TensorProto[] = [];
  const f32 = (name: string, dims: number[], data: Float32Array): void => {
    initializer.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  };
  const i64 = (name: string, values: number[]): void => {
    const data = BigInt64Array.from(values.map(BigInt));
    initializer.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) });
  };

  // STFT basis [258, 1, 256] (129 real rows, then 129 imaginary) -> [256, 258].
  const basis = get('stft.forward_basis_buffer', [258, 1, 256]).data;
  const basisT = new Float32Array(256 * 258);
  for (let r = 0; r < 258; r++) for (let k = 0; k < 256; k++) basisT[k * 258 + r] = basis[r * 256 + k]!;
  f32('stft_basis_t', [256, 258], basisT);

  // Conv weight [out, in, 3] -> GEMM matrix [taps x in, out]: row (tap, in) holds weight[out][in][tap].
  const convMatrix = (layer: number, outCh: number, inCh: number, taps: number[]): void => {
    const wt = get(`encoder.${layer}.reparam_conv.weight`, [outCh, inCh, 3]).data;
    const m = new Float32Array(taps.length * inCh * outCh);
    taps.forEach((tap, ti) => {
      for (let c = 0; c < inCh; c++) for (let o = 0; o < outCh; o++) m[(ti * inCh + c) * outCh + o] = wt[(o * inCh + c) * 3 + tap]!;
    });
    f32(`enc${layer}_w`, [taps.length * inCh, outCh], m);
    f32(`enc${layer}_b`, [outCh], get(`encoder.${layer}.reparam_conv.bias`, [outCh]).data);
  };
  convMatrix(0, 128, 129, [0, 1, 2]);
  convMatrix(1, 64, 128, [0, 1, 2]);
  convMatrix(2, 64, 64, [1, 2]); // 2 input frames: tap 0 only ever sees the zero padding
  convMatrix(3, 128, 64, [1]); // 1 input frame: taps 0 and 2 only ever see the zero padding

  // PyTorch LSTMCell gate blocks i, f, g, o -> ONNX LSTM i, o, f, c.
  const gates = (t: Float32Array, rowLength: number): Float32Array => {
    const q = 128 * rowLength;
    const out = new Float32Array(t.length);
    out.set(t.subarray(0, q), 0);
    out.set(t.subarray(3 * q, 4 * q), q);
    out.set(t.subarray(q, 3 * q), 2 * q);
    return out;
  };
  f32('lstm_w', [1, 512, 128], gates(get('decoder.rnn.weight_ih', [512, 128]).data, 128));
  f32('lstm_r', [1, 512, 128], gates(get('decoder.rnn.weight_hh', [512, 128]).data, 128));
  const lstmB = new Float32Array(1024);
  lstmB.set(gates(get('decoder.rnn.bias_ih', [512]).data, 1), 0);
  lstmB.set(gates(get('decoder.rnn.bias_hh', [512]).data, 1), 512);
  f32('lstm_b', [1, 1024], lstmB);
  f32('dec_w', [128, 1], get('decoder.decoder.2.weight', [1, 128, 1]).data);
  f32('dec_b', [1], get('decoder.decoder.2.bias', [1]).data);

  i64('pad_reflect', [0, 0, 0, 64]); // [B, 576] -> [B, 640]: 64 mirrored samples at the end
  i64('pad_time_both', [0, 1, 0, 0, 1, 0]);
  i64('pad_time_left', [0, 1, 0, 0, 0, 0]);
  for (const v of [0, 1, 2, 3, 4, 5, 6, 129, 258]) i64(`k${v}`, [v]);
  i64('shape_hops', [-1, 5, 128]);
  i64('shape_enc0_in', [-1, 387]);
  i64('shape_enc0_out', [-1, 4, 128]);
  i64('shape_enc1_window', [-1, 1, 384]);
  i64('shape_enc1_in', [-1, 384]);
  i64('shape_enc2_in', [-1, 128]);

  const node: NodeProto[] = [];
  const op = (opType: string, name: string, input: string[], output: string[], attrs: Record<string, number | string> = {}): void => {
    const attribute: AttributeProto[] = Object.entries(attrs).map(([n, v]) =>
      typeof v === 'string' ? { name: n, type: ATTR_STRING, s: new TextEncoder().encode(v) } : Number.isInteger(v) ? { name: n, type: ATTR_INT, i: v } : { name: n, type: ATTR_FLOAT, f: v },
    );
    node.push({ name, opType, input, output, attribute });
  };
  // STFT magnitude
  op('Pad', 'stft/pad', ['input', 'pad_reflect'], ['padded'], { mode: 'reflect' });
  op('Reshape', 'stft/hops', ['padded', 'shape_hops'], ['hops']);
  op('Slice', 'stft/first_half', ['hops', 'k0', 'k4', 'k1'], ['half_a']);
  op('Slice', 'stft/second_half', ['hops', 'k1', 'k5', 'k1'], ['half_b']);
  op('Concat', 'stft/frames', ['half_a', 'half_b'], ['frames'], { axis: 2 });
  op('MatMul', 'stft/dft', ['frames', 'stft_basis_t'], ['spectrum']);
  op('Mul', 'stft/square', ['spectrum', 'spectrum'], ['power_parts']);
  op('Slice', 'stft/real', ['power_parts', 'k0', 'k129', 'k2'], ['re2']);
  op('Slice', 'stft/imag', ['power_parts', 'k129', 'k258', 'k2'], ['im2']);
  op('Add', 'stft/power', ['re2', 'im2'], ['power']);
  op('Sqrt', 'stft/magnitude', ['power'], ['magnitude']);
  // encoder 0: k3 s1 p1 over 4 frames
  op('Pad', 'enc0/pad', ['magnitude', 'pad_time_both'], ['enc0_padded']);
  op('Slice', 'enc0/tap0', ['enc0_padded', 'k0', 'k4', 'k1'], ['enc0_t0']);
  op('Slice', 'enc0/tap1', ['enc0_padded', 'k1', 'k5', 'k1'], ['enc0_t1']);
  op('Slice', 'enc0/tap2', ['enc0_padded', 'k2', 'k6', 'k1'], ['enc0_t2']);
  op('Concat', 'enc0/columns', ['enc0_t0', 'enc0_t1', 'enc0_t2'], ['enc0_cols'], { axis: 2 });
  op('Reshape', 'enc0/rows', ['enc0_cols', 'shape_enc0_in'], ['enc0_in']);
  op('Gemm', 'enc0/gemm', ['enc0_in', 'enc0_w', 'enc0_b'], ['enc0_lin']);
  op('Relu', 'enc0/relu', ['enc0_lin'], ['enc0_out']);
  // encoder 1: k3 s2 p1 over 4 frames -> 2
  op('Reshape', 'enc1/frames', ['enc0_out', 'shape_enc0_out'], ['enc1_frames']);
  op('Pad', 'enc1/pad', ['enc1_frames', 'pad_time_left'], ['enc1_padded']);
  op('Slice', 'enc1/window0', ['enc1_padded', 'k0', 'k3', 'k1'], ['enc1_w0']);
  op('Slice', 'enc1/window1', ['enc1_padded', 'k2', 'k5', 'k1'], ['enc1_w1']);
  op('Reshape', 'enc1/flat0', ['enc1_w0', 'shape_enc1_window'], ['enc1_f0']);
  op('Reshape', 'enc1/flat1', ['enc1_w1', 'shape_enc1_window'], ['enc1_f1']);
  op('Concat', 'enc1/columns', ['enc1_f0', 'enc1_f1'], ['enc1_cols'], { axis: 1 });
  op('Reshape', 'enc1/rows', ['enc1_cols', 'shape_enc1_in'], ['enc1_in']);
  op('Gemm', 'enc1/gemm', ['enc1_in', 'enc1_w', 'enc1_b'], ['enc1_lin']);
  op('Relu', 'enc1/relu', ['enc1_lin'], ['enc1_out']);
  // encoder 2: k3 s2 p1 over 2 frames -> 1; encoder 3: k3 s1 p1 over 1 frame
  op('Reshape', 'enc2/rows', ['enc1_out', 'shape_enc2_in'], ['enc2_in']);
  op('Gemm', 'enc2/gemm', ['enc2_in', 'enc2_w', 'enc2_b'], ['enc2_lin']);
  op('Relu', 'enc2/relu', ['enc2_lin'], ['enc2_out']);
  op('Gemm', 'enc3/gemm', ['enc2_out', 'enc3_w', 'enc3_b'], ['enc3_lin']);
  op('Relu', 'enc3/relu', ['enc3_lin'], ['features']);
  // decoder: one LSTM step from state, then the speech probability
  op('Unsqueeze', 'dec/step', ['features', 'k0'], ['lstm_x']);
  op('Slice', 'dec/h', ['state', 'k0', 'k1', 'k0'], ['h0']);
  op('Slice', 'dec/c', ['state', 'k1', 'k2', 'k0'], ['c0']);
  op('LSTM', 'dec/lstm', ['lstm_x', 'lstm_w', 'lstm_r', 'lstm_b', '', 'h0', 'c0'], ['lstm_y', 'h1', 'c1'], { hidden_size: 128 });
  op('Concat', 'dec/state', ['h1', 'c1'], ['stateN'], { axis: 0 });
  op('Squeeze', 'dec/h_rows', ['h1', 'k0'], ['h_rows']);
  op('Relu', 'dec/relu', ['h_rows'], ['h_relu']);
  op('Gemm', 'dec/gemm', ['h_relu', 'dec_w', 'dec_b'], ['logit']);
  op('Sigmoid', 'dec/sigmoid', ['logit'], ['output']);

  const tensorType = (name: string, dims: (number | string)[]): object => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const model = {
    irVersion: 8,
    producerName: 'firstring scripts/silero-16k.ts',
    docString: 'Silero VAD v5 (MIT, snakers4/silero-vad), 16 kHz network only, convolutions laid out as batched GEMMs',
    opsetImport: [{ domain: '', version: 16 }],
    graph: {
      name: 'silero_vad_v5_16k',
      node,
      initializer,
      input: [tensorType('input', ['batch', 576]), tensorType('state', [2, 'batch', 128])],
      output: [tensorType('output', ['batch', 1]), tensorType('stateN', [2, 'batch', 128])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

function main(): void {
  const [src = SILERO_V5_SOURCE, dst = SILERO_V5_16K] = process.argv.slice(2);
  const bytes = buildSilero16k(readFileSync(src));
  const tmp = `${dst}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, dst);
  console.log(`[silero-16k] wrote ${path.relative(process.cwd(), dst)} (${bytes.length} bytes) from ${path.relative(process.cwd(), src)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main();
  } catch (err) {
    console.error(`[silero-16k] ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
