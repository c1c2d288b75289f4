/** Untrained (seeded) models over the sample datasets: explanations are exact for any weights, so no training is needed. */
import { modelConfigSchema } from '../../src/config.js';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset } from '../../src/data/types.js';
import { SadslModel } from '../../src/model/sadsl.js';
import { Preprocessor } from '../../src/train/preprocess.js';
import { TrainedModel } from '../../src/train/trained-model.js';
import { TINY_IMAGE_MODEL, TINY_TEXT_MODEL } from '../support/tiny.js';

export async function imageModel(): Promise<{ ds: Dataset; model: TrainedModel }> {
  const ds = await loadDataset('sample-images');
  const config = modelConfigSchema.parse(TINY_IMAGE_MODEL);
  const pre = Preprocessor.fit(ds.train, config.vocabSize, config.maxLength);
  const model = new TrainedModel(SadslModel.create(config, pre.input, 1), pre, { spec: ds.spec, name: ds.name, domain: ds.domain, classes: ds.classes });
  return { ds, model };
}

export async function textModel(): Promise<{ ds: Dataset; model: TrainedModel }> {
  const ds = await loadDataset('sample-text');
  const config = modelConfigSchema.parse(TINY_TEXT_MODEL);
  const pre = Preprocessor.fit(ds.train, config.vocabSize, config.maxLength);
  const model = new TrainedModel(SadslModel.create(config, pre.input, 1), pre, { spec: ds.spec, name: ds.name, domain: ds.domain, classes: ds.classes });
  return { ds, model };
}
