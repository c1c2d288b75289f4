// Compiler and linker flags for binding.gyp, from $LIBTORCH (a libtorch tree: include/, lib/) or Debian's
// libtorch-dev paths. Usage (from gyp): node config.mjs include|libs|defines|ldflags
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = process.env.LIBTORCH;
const include = root ? [path.join(root, 'include'), path.join(root, 'include', 'torch', 'csrc', 'api', 'include')] : ['/usr/include', '/usr/include/torch/csrc/api/include'];
const libDir = root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
// oneDNN as a shared library beside libtorch (Debian): its sgemm is called directly for float32 products.
const dnnl = existsSync(path.join(libDir, 'libdnnl.so.2'));
const out = {
  include,
  libs: [`-L${libDir}`, '-ltorch_cpu', '-lc10', ...(dnnl ? ['-l:libdnnl.so.2'] : [])],
  ldflags: [`-Wl,-rpath,${libDir}`],
  defines: dnnl ? ['SADSL_DNNL_SGEMM'] : [],
};
console.log((out[process.argv[2]] ?? []).join(' '));
