{
  "targets": [
    {
      "target_name": "sadsl_torch",
      "sources": ["src/store.cc", "src/elementwise.cc", "src/shape.cc", "src/linalg.cc", "src/optim.cc"],
      "include_dirs": ["<!@(node config.mjs include)"],
      "libraries": ["<!@(node config.mjs libs)"],
      "ldflags": ["<!@(node config.mjs ldflags)"],
      "defines": ["<!@(node config.mjs defines)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    }
  ]
}
