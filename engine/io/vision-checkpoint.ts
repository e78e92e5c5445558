// ViT and CLIP checkpoints as one self-describing safetensors file each: the parameters under their PyTorch names,
// and in the header's __metadata__ the model's config (and for CLIP its caption tokenizer), so that a file alone
// rebuilds the model. The config is checked field by field; a file that is not such a checkpoint, or whose config
// is malformed, is refused with the field's path and nothing is built.
import * as v from 'valibot';
import { ViT, type ViTConfig } from '../nn/vit';
import { CLIP, type CLIPConfig } from '../nn/clip';
import { CharTokenizer } from '../nn/tokenizers';
import type { DeviceName } from '../backend/backend';
import { loadModuleSafetensors, openSafetensors, saveModuleSafetensors, SafetensorsError } from './safetensors';

export const VIT_CHECKPOINT = 'gpu-learn/vit';
export const CLIP_CHECKPOINT = 'gpu-learn/clip';

const int = (min = 0) => v.pipe(v.number(), v.integer(), v.minValue(min));

const VisionSchema = v.strictObject({
  imageSize: v.union([int(1), v.tuple([int(1), int(1)])]),
  patchSize: int(1),
  channels: v.optional(int(1)),
  dModel: int(1),
  nHead: int(1),
  nLayer: int(1),
  dimFeedforward: v.optional(int(1)),
  dropout: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  activation: v.optional(v.picklist(['gelu', 'relu'])),
  layerNormEps: v.optional(v.pipe(v.number(), v.minValue(0))),
});
const ViTSchema = v.strictObject({ ...VisionSchema.entries, numClasses: int(0) });
const CLIPSchema = v.strictObject({
  vision: VisionSchema,
  text: v.strictObject({
    vocabSize: int(1), maxLen: int(1), padId: int(0), dModel: int(1), nHead: int(1), nLayer: int(1), dimFeedforward: v.optional(int(1)),
  }),
  embedDim: int(1),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0))),
});

/** Reads and checks the __metadata__ config of a checkpoint of `format`. */
function readConfig<T>(bytes: Uint8Array, format: string, schema: v.GenericSchema<unknown, T>, where: string): { config: T; metadata: Record<string, string> } {
  const { metadata } = openSafetensors(bytes); // the header only; the tensors are read once, by the loader
  if (metadata.format !== format) {
    throw new SafetensorsError(`${where}: not a ${format} checkpoint (its __metadata__ format is ${JSON.stringify(metadata.format ?? null)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(metadata.config ?? '');
  } catch (e) {
    throw new SafetensorsError(`${where}: __metadata__.config is not JSON (${(e as Error).message})`);
  }
  const r = v.safeParse(schema, json);
  if (!r.success) {
    const path = v.getDotPath(r.issues[0]);
    throw new SafetensorsError(`${where}: __metadata__.config${path ? `.${path}` : ''}: ${r.issues[0].message}`);
  }
  return { config: r.output, metadata };
}

const viTConfigOf = (m: ViT): Omit<ViTConfig, 'seed' | 'device'> => {
  const { seed: _s, device: _d, ...config } = m.config;
  return config;
};

/** A ViT with its config, as safetensors. */
export function saveViT(model: ViT, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  return saveModuleSafetensors(model, { ...metadata, format: VIT_CHECKPOINT, config: JSON.stringify(viTConfigOf(model)) });
}

/** Rebuilds a ViT from saveViT's bytes, in eval mode. */
export function loadViT(bytes: Uint8Array, opts: { device?: DeviceName } = {}): ViT {
  const { config } = readConfig(bytes, VIT_CHECKPOINT, ViTSchema, 'loadViT');
  const model = new ViT({ ...config, device: opts.device });
  loadModuleSafetensors(model, bytes);
  return model.eval();
}

/** A CLIP with its config and its caption tokenizer, as safetensors. */
export function saveCLIP(model: CLIP, tokenizer: CharTokenizer, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  const { seed: _s, device: _d, ...config } = model.config;
  return saveModuleSafetensors(model, { ...metadata, format: CLIP_CHECKPOINT, config: JSON.stringify(config), tokenizer: tokenizer.save() });
}

/** Rebuilds a CLIP and its caption tokenizer from saveCLIP's bytes, in eval mode. */
export function loadCLIP(bytes: Uint8Array, opts: { device?: DeviceName } = {}): { model: CLIP; tokenizer: CharTokenizer } {
  const { config, metadata } = readConfig(bytes, CLIP_CHECKPOINT, CLIPSchema, 'loadCLIP');
  let tokenizer: CharTokenizer;
  try {
    tokenizer = CharTokenizer.load(metadata.tokenizer ?? '');
  } catch (e) {
    throw new SafetensorsError(`loadCLIP: __metadata__.tokenizer: ${(e as Error).message}`);
  }
  if (tokenizer.vocab.length !== config.text.vocabSize) {
    throw new SafetensorsError(`loadCLIP: the tokenizer has ${tokenizer.vocab.length} tokens but config.text.vocabSize is ${config.text.vocabSize}`);
  }
  const model = new CLIP({ ...(config as CLIPConfig), device: opts.device });
  loadModuleSafetensors(model, bytes);
  return { model: model.eval(), tokenizer };
}
