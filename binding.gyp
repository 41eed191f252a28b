{
  "targets": [
    {
      "target_name": "keras_ts_native",
      "sources": ["native/src/addon.cc", "native/src/matmul.cc", "native/src/elementwise.cc", "native/src/conv.cc", "native/src/pooling.cc", "native/src/activations.cc", "native/src/optimizers.cc", "native/src/normalization.cc", "native/src/pool.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      # -ffp-contract=off: no fused multiply-adds, so vectorized loops stay bit-identical to the
      # TypeScript kernels (JavaScript rounds every operation).
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fno-math-errno", "-ffp-contract=off"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
