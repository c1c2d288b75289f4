/**
 * The `torch` TensorFlow.js backend: tensor data lives in libtorch (ATen) tensors inside the native addon,
 * referenced by integer ids; kernels (`kernels.ts`) call ATen ops on them. Only `write`/`move` copy data
 * in and `readSync`/`read` (behind `dataSync`/`data`) copy it out.
 */
import * as tf from '../tf.js';
import type { TorchAddon, Values } from './addon.js';

type DataType = 'float32' | 'int32' | 'bool';
const DTYPES: DataType[] = ['float32', 'int32', 'bool'];

interface TensorData {
  id: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** Native memory as the addon counts it: tensor ids held by JS, ATen CPU allocations and their bytes. */
export interface NativeMemory {
  nativeTensors: number;
  nativeAllocations: number;
  nativeBytes: number;
}

export function dtypeCode(dtype: tf.DataType): number {
  const code = DTYPES.indexOf(dtype as DataType);
  if (code < 0) throw new Error(`torch backend: dtype '${dtype}' is not supported`);
  return code;
}

function typedArray(values: tf.BackendValues, dtype: DataType): Values {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  if (dtype === 'int32') return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
  return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
}

function emptyArray(dtype: DataType, size: number): Values {
  return dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
}

export class TorchBackend extends tf.KernelBackend {
  private readonly data: tf.DataStorage<TensorData>;
  /** Written by every addon call: [count, (id, dtype, rank, ...dims) per result]. */
  private readonly buffer = new Int32Array(1 << 14);

  constructor(readonly addon: TorchAddon) {
    super();
    this.data = new tf.DataStorage(this, tf.engine());
    addon.setShapeBuffer(this.buffer);
  }

  /** The native id of a kernel input. */
  id(t: tf.TensorInfo): number {
    return this.data.get(t.dataId).id;
  }

  /** The results of the last addon call, registered as this backend's data. */
  outputs(): tf.TensorInfo[] {
    const b = this.buffer;
    const out: tf.TensorInfo[] = [];
    for (let i = 0, k = 1; i < b[0]; i++) {
      const rank = b[k + 2];
      out.push(this.register(b[k], DTYPES[b[k + 1]], Array.from(b.subarray(k + 3, k + 3 + rank))));
      k += 3 + rank;
    }
    return out;
  }

  /** The native id of the last addon call's (first) result, not registered: the caller frees it. */
  lastId(): number {
    return this.buffer[1];
  }

  /** The single result of the last addon call. */
  output(): tf.TensorInfo {
    const b = this.buffer;
    return this.register(b[1], DTYPES[b[2]], Array.from(b.subarray(4, 4 + b[3])));
  }

  private register(id: number, dtype: DataType, shape: number[]): tf.TensorInfo {
    const dataId = {};
    this.data.set(dataId, { id, shape, dtype, refCount: 1 });
    return { dataId, shape, dtype };
  }

  override write(values: tf.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    const code = dtypeCode(dtype);
    this.addon.write(typedArray(values, dtype as DataType), shape, code);
    return this.output().dataId;
  }

  override move(dataId: tf.DataId, values: tf.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    const code = dtypeCode(dtype);
    this.addon.write(typedArray(values, dtype as DataType), shape, code);
    this.data.set(dataId, { id: this.buffer[1], shape, dtype: dtype as DataType, refCount });
  }

  override readSync(dataId: tf.DataId): tf.BackendValues {
    const d = this.data.get(dataId);
    const out = emptyArray(d.dtype, tf.util.sizeFromShape(d.shape));
    this.addon.read(d.id, out);
    return out;
  }

  override async read(dataId: tf.DataId): Promise<tf.BackendValues> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    if (this.data.has(dataId)) {
      const d = this.data.get(dataId);
      d.refCount--;
      if (!force && d.refCount > 0) return false;
      this.addon.free(d.id);
      this.data.delete(dataId);
    }
    return true;
  }

  override refCount(dataId: tf.DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }

  override incRef(dataId: tf.DataId): void {
    this.data.get(dataId).refCount++;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  nativeMemory(): NativeMemory {
    const [nativeTensors, nativeAllocations, nativeBytes] = this.addon.stats();
    return { nativeTensors, nativeAllocations, nativeBytes };
  }

  override memory(): { unreliable: boolean; reasons?: string[] } & NativeMemory {
    return { unreliable: false, ...this.nativeMemory() };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const start = tf.util.now();
    f();
    return { kernelMs: tf.util.now() - start };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {
    // tensors still referenced by the engine are freed with the process; nothing is pooled here
  }
}
