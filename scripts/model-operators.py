#!/usr/bin/python3
"""model-operators.py MODEL.onnx...: one Markdown table row per model with
its default-domain opset and every operator it uses (domain-qualified when
not the default), with counts, for docs/models.md. Needs python3-onnx."""
import collections
import os
import sys

import onnx

for path in sys.argv[1:]:
    m = onnx.load(path)
    opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    ops = collections.Counter(
        (f"{n.domain}." if n.domain not in ("", "ai.onnx") else "") + n.op_type
        for n in m.graph.node)
    listed = ", ".join(f"{op} {count}" for op, count in sorted(ops.items()))
    print(f"| `{os.path.basename(path)}` (opset {opset}) | {listed} |")
