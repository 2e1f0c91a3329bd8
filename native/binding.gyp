# The `native` backend addon: N-API (C) + OpenBLAS. Built by scripts/build-native.mjs
# into native/build/Release/pretrain_lab_native.node.
# Portable flags: x86-64-v2 (SSE4.2, every x86-64 CPU since ~2009); for a machine-specific
# build set PRETRAIN_LAB_NATIVE_MARCH=native before building (the .node then only runs
# on CPUs like this one).
{
  "targets": [
    {
      "target_name": "pretrain_lab_native",
      "sources": [
        "src/addon.c",
        "src/gemm.c",
        "src/elementwise.c",
        "src/reduce.c",
        "src/losses.c",
        "src/adam.c",
        "src/conv.c",
        "src/norm.c"
      ],
      "include_dirs": ["<!(node openblas-flags.mjs --include)"],
      "libraries": ["<!@(node openblas-flags.mjs --libs)"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-O3", "-fno-math-errno", "-fno-trapping-math"],
      "conditions": [
        ["target_arch=='x64'", {
          "cflags_c": ["<!(node -p \"'-march=' + (process.env.PRETRAIN_LAB_NATIVE_MARCH || 'x86-64-v2')\")", "-mtune=generic"]
        }],
        ["OS=='mac'", {
          "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-fno-math-errno"] }
        }]
      ]
    }
  ]
}
