/**
 * Turns dataset objects into model inputs exactly as the model was trained: images are checked against the
 * model's input size; documents are tokenised and encoded with the vocabulary saved with the model.
 */
import { forEachChunk, objectTexts } from '../data/reader.js';
import type { EncodedTexts, ImageSplit, Split, SplitReader, TextSplit } from '../data/types.js';
import { encodeTexts } from '../data/text/encode.js';
import { tokenize } from '../data/text/tokenize.js';
import { Vocabulary } from '../data/text/vocabulary.js';
import { ArgumentError } from '../errors.js';
import { imageInputs, textInputs } from '../model/inputs.js';
import type { InputSpec, ModelInputs } from '../model/types.js';

export class Preprocessor {
  /** Encoded documents per split object, so a split is tokenised once. */
  private readonly encoded = new WeakMap<TextSplit, EncodedTexts>();

  constructor(
    readonly input: InputSpec,
    readonly vocabulary: Vocabulary | null,
  ) {}

  /** The input spec and (for documents) the vocabulary a model trained on `train` needs. */
  static fit(train: Split, maxVocab: number, maxLength: number): Preprocessor {
    if (train.kind === 'image') {
      return new Preprocessor({ domain: 'image', height: train.height, width: train.width, channels: train.channels }, null);
    }
    return Preprocessor.forVocabulary(Vocabulary.build(train.texts.map(tokenize), maxVocab), maxLength);
  }

  /** As `fit`, on a split read on demand: the vocabulary is counted a chunk of documents at a time. */
  static async fitReader(train: SplitReader, maxVocab: number, maxLength: number, onProgress?: (done: number, total: number) => void): Promise<Preprocessor> {
    if (train.kind === 'image') return Preprocessor.fit((await train.read([0])).split, maxVocab, maxLength);
    const counts = new Map<string, number>();
    let done = 0;
    await forEachChunk(train, (o) => {
      const texts = objectTexts(o);
      for (const text of texts) Vocabulary.count(counts, tokenize(text));
      // Only a streamed split is slow enough to report.
      if (!train.resident) onProgress?.((done += texts.length), train.n);
    });
    return Preprocessor.forVocabulary(Vocabulary.fromCounts(counts, maxVocab), maxLength);
  }

  private static forVocabulary(vocab: Vocabulary, maxLength: number): Preprocessor {
    if (vocab.size === 0) throw new ArgumentError('the training documents contain no words');
    return new Preprocessor({ domain: 'text', vocabSize: vocab.size, maxLength }, vocab);
  }

  /** Model inputs of objects `indices` of a split (all objects when omitted). */
  inputs(split: Split, indices: ArrayLike<number>): ModelInputs {
    if (split.kind === 'image') return imageInputs(this.checkImages(split), indices);
    return textInputs(this.encode(split), indices);
  }

  encode(split: TextSplit): EncodedTexts {
    if (this.input.domain !== 'text' || !this.vocabulary) throw new ArgumentError('this model takes images, not documents');
    let enc = this.encoded.get(split);
    if (!enc) {
      enc = encodeTexts(this.vocabulary, split.texts, this.input.maxLength);
      this.encoded.set(split, enc);
    }
    return enc;
  }

  private checkImages(split: ImageSplit): ImageSplit {
    const s = this.input;
    if (s.domain !== 'image') throw new ArgumentError('this model takes documents, not images');
    if (split.height !== s.height || split.width !== s.width || split.channels !== s.channels) {
      throw new ArgumentError(
        `images are ${split.height}×${split.width}×${split.channels}, the model takes ${s.height}×${s.width}×${s.channels}`,
      );
    }
    return split;
  }
}
