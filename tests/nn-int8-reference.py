#!/usr/bin/python3
"""nn-int8-reference.py MODEL INPUT.f32 D0,D1,... OUT.f32

Runs a QLinear (int8) ONNX model with exact integer semantics in numpy:
integer convolutions and products (float64 holds them exactly), then
round-half-even requantization, as the ONNX and onnxruntime contrib operator
definitions say.  It writes the first graph output as float32, so
test-nn-models can compare derush's float32 execution of the same graph with
an independent one.  Only the operators mobilenetv2-12-int8 uses are here.
Exits 77 when python3-onnx or numpy is missing."""
import sys

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError:
    sys.exit(77)

model_path, inp, shape, out_path = sys.argv[1:5]
model = onnx.load(model_path)
t = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
t[model.graph.input[0].name] = np.fromfile(inp, np.float32).reshape(
    [int(d) for d in shape.split(",")])


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def saturate(v, zero):
    lo, hi = (0, 255) if zero.dtype == np.uint8 else (-128, 127)
    return np.clip(np.rint(v) + zero.astype(np.int64), lo, hi).astype(zero.dtype)


def dequant(q, scale, zero):
    return (q.astype(np.float64) - zero.astype(np.float64)) * scale.astype(np.float64)


def conv(x, w, stride, pads, group):
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (h + pads[0] + pads[2] - kh) // stride[0] + 1
    wo = (wd + pads[1] + pads[3] - kw) // stride[1] + 1
    out = np.zeros((n, o, ho, wo))
    og = o // group
    for g in range(group):
        xs, ws = xp[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + stride[0] * ho:stride[0], j:j + stride[1] * wo:stride[1]]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, ws[:, :, i, j])
    return out


for node in model.graph.node:
    a = [t[i] if i else None for i in node.input]
    op = node.op_type
    if op == "QuantizeLinear":
        y = saturate(a[0].astype(np.float64) / a[1], a[2])
    elif op == "DequantizeLinear":
        y = dequant(a[0], a[1], a[2]).astype(np.float32)
    elif op == "QLinearConv":
        x = a[0].astype(np.int64) - a[2].astype(np.int64)
        wz = a[5].astype(np.int64).reshape(-1, 1, 1, 1) if a[5].size > 1 else a[5].astype(np.int64)
        w = a[3].astype(np.int64) - wz
        acc = conv(x.astype(np.float64), w.astype(np.float64), attr(node, "strides", [1, 1]),
                   attr(node, "pads", [0, 0, 0, 0]), attr(node, "group", 1))
        if len(a) > 8:
            acc += a[8].astype(np.float64).reshape(1, -1, 1, 1)
        ws = a[4].astype(np.float64).reshape(1, -1, 1, 1) if a[4].size > 1 else a[4]
        y = saturate(acc * (a[1].astype(np.float64) * ws) / a[6], a[7])
    elif op == "QLinearAdd":
        y = saturate((dequant(a[0], a[1], a[2]) + dequant(a[3], a[4], a[5])) / a[6], a[7])
    elif op == "QLinearGlobalAveragePool":
        y = saturate(dequant(a[0], a[1], a[2]).mean(axis=(2, 3), keepdims=True) / a[3], a[4])
    elif op == "QLinearMatMul":
        y = saturate((dequant(a[0], a[1], a[2]) @ dequant(a[3], a[4], a[5])) / a[6], a[7])
    elif op == "Shape":
        y = np.array(a[0].shape, np.int64)
    elif op == "Gather":
        y = np.take(a[0], a[1], axis=attr(node, "axis", 0))
    elif op == "Unsqueeze":
        y = np.expand_dims(a[0], tuple(attr(node, "axes")))
    elif op == "Concat":
        y = np.concatenate(a, axis=attr(node, "axis"))
    elif op == "Reshape":
        y = a[0].reshape(a[1])
    else:
        sys.exit(f"nn-int8-reference.py: operator {op} is not implemented here")
    t[node.output[0]] = y
np.ascontiguousarray(t[model.graph.output[0].name], dtype=np.float32).tofile(out_path)
