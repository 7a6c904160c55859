using System.Buffers.Binary;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>Output shapes of the operators <see cref="OpGraphBuilder"/> can infer, by the TFLite kernels'
/// rules. Throws <see cref="OpGraphException"/> for shapes the operator does not accept.</summary>
internal static class ShapeInference
{
    /// <summary>Output size of a windowed dimension. SAME: ⌈in / stride⌉; VALID:
    /// ⌊(in − ((k − 1)·dilation + 1)) / stride⌋ + 1.</summary>
    public static int WindowOutput(int input, int kernel, int stride, int dilation, Padding padding)
    {
        if (kernel <= 0 || stride <= 0 || dilation <= 0)
        {
            throw new OpGraphException($"kernel {kernel}, stride {stride} and dilation {dilation} must be positive");
        }
        long effective = (kernel - 1L) * dilation + 1; // 64 bits: kernel and dilation near 2^31 would wrap
        if (padding == Padding.Same)
        {
            return (int)((input + (long)stride - 1) / stride);
        }
        if (input < effective)
        {
            throw new OpGraphException(
                $"a window of {kernel} (dilation {dilation}) does not fit an input of {input} with VALID padding");
        }
        return (int)((input - effective) / stride + 1);
    }

    public delegate (int[] Shape, TensorType Type, ReadOnlyMemory<byte> Data) TensorLookup(int id);

    /// <summary>The output shape of <paramref name="op"/>, or null when the builder has no rule for it.</summary>
    public static int[]? Infer(BuiltinOperator op, ReadOnlySpan<int> inputs, OperatorOptions? options, TensorLookup lookup)
    {
        switch (op)
        {
            case BuiltinOperator.CONV_2D:
            {
                int[] x = Rank(lookup(inputs[0]).Shape, 4, "CONV_2D input");
                int[] f = Rank(lookup(inputs[1]).Shape, 4, "CONV_2D filter");
                var o = options as Conv2DOptions ?? new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None, 1, 1);
                if (f[3] <= 0 || x[3] < f[3] || x[3] % f[3] != 0 || f[0] % (x[3] / f[3]) != 0)
                {
                    throw new OpGraphException(
                        $"CONV_2D: input depth {x[3]} is not a multiple of filter depth {f[3]} with output channels {f[0]} divisible by the groups");
                }
                return [x[0], WindowOutput(x[1], f[1], o.StrideH, o.DilationHFactor, o.Padding),
                    WindowOutput(x[2], f[2], o.StrideW, o.DilationWFactor, o.Padding), f[0]];
            }
            case BuiltinOperator.DEPTHWISE_CONV_2D:
            {
                int[] x = Rank(lookup(inputs[0]).Shape, 4, "DEPTHWISE_CONV_2D input");
                int[] f = Rank(lookup(inputs[1]).Shape, 4, "DEPTHWISE_CONV_2D filter");
                var o = options as DepthwiseConv2DOptions
                    ?? new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None, 1, 1);
                if (f[0] != 1 || f[3] != (long)x[3] * o.DepthMultiplier)
                {
                    throw new OpGraphException(
                        $"DEPTHWISE_CONV_2D: filter [{string.Join(',', f)}] does not match input depth {x[3]} × multiplier {o.DepthMultiplier}");
                }
                return [x[0], WindowOutput(x[1], f[1], o.StrideH, o.DilationHFactor, o.Padding),
                    WindowOutput(x[2], f[2], o.StrideW, o.DilationWFactor, o.Padding), f[3]];
            }
            case BuiltinOperator.AVERAGE_POOL_2D:
            case BuiltinOperator.MAX_POOL_2D:
            case BuiltinOperator.L2_POOL_2D:
            {
                int[] x = Rank(lookup(inputs[0]).Shape, 4, op + " input");
                if (options is not Pool2DOptions o)
                {
                    throw new OpGraphException($"{op} needs Pool2DOptions");
                }
                return [x[0], WindowOutput(x[1], o.FilterHeight, o.StrideH, 1, o.Padding),
                    WindowOutput(x[2], o.FilterWidth, o.StrideW, 1, o.Padding), x[3]];
            }
            case BuiltinOperator.FULLY_CONNECTED:
            {
                int[] x = lookup(inputs[0]).Shape;
                int[] w = Rank(lookup(inputs[1]).Shape, 2, "FULLY_CONNECTED weights");
                long elements = Elements(x);
                if (w[1] <= 0 || elements % w[1] != 0)
                {
                    throw new OpGraphException(
                        $"FULLY_CONNECTED: input of {elements} elements is not a multiple of weight depth {w[1]}");
                }
                if (options is FullyConnectedOptions { KeepNumDims: true } && x.Length > 0)
                {
                    if (x[^1] != w[1])
                    {
                        throw new OpGraphException($"FULLY_CONNECTED keep_num_dims: input depth {x[^1]} ≠ weight depth {w[1]}");
                    }
                    int[] keep = (int[])x.Clone();
                    keep[^1] = w[0];
                    return keep;
                }
                return [checked((int)(elements / w[1])), w[0]];
            }
            case BuiltinOperator.ADD:
            case BuiltinOperator.SUB:
            case BuiltinOperator.MUL:
            case BuiltinOperator.DIV:
            case BuiltinOperator.MAXIMUM:
            case BuiltinOperator.MINIMUM:
            case BuiltinOperator.SQUARED_DIFFERENCE:
                return Broadcast(lookup(inputs[0]).Shape, lookup(inputs[1]).Shape, op);
            case BuiltinOperator.CONCATENATION:
            {
                if (options is not ConcatenationOptions o)
                {
                    throw new OpGraphException("CONCATENATION needs ConcatenationOptions");
                }
                int[] first = lookup(inputs[0]).Shape;
                int axis = o.Axis < 0 ? o.Axis + first.Length : o.Axis;
                if ((uint)axis >= (uint)first.Length)
                {
                    throw new OpGraphException($"CONCATENATION: axis {o.Axis} is out of range for rank {first.Length}");
                }
                int[] result = (int[])first.Clone();
                for (int k = 1; k < inputs.Length; k++)
                {
                    int[] s = lookup(inputs[k]).Shape;
                    if (s.Length != first.Length)
                    {
                        throw new OpGraphException("CONCATENATION: inputs differ in rank");
                    }
                    for (int d = 0; d < s.Length; d++)
                    {
                        if (d == axis)
                        {
                            result[d] += s[d];
                        }
                        else if (s[d] != first[d])
                        {
                            throw new OpGraphException($"CONCATENATION: inputs differ in dimension {d}");
                        }
                    }
                }
                return result;
            }
            case BuiltinOperator.RESHAPE:
            {
                int[] x = lookup(inputs[0]).Shape;
                int[]? target = options is ReshapeOptions { NewShape.Count: > 0 } r ? [.. r.NewShape] : null;
                if (target is null && inputs.Length > 1 && inputs[1] >= 0)
                {
                    target = ReadInt32s(lookup(inputs[1]));
                }
                if (target is null)
                {
                    throw new OpGraphException("RESHAPE needs a new shape (options or a constant INT32 shape input)");
                }
                return ResolveReshape(x, target);
            }
            case BuiltinOperator.PAD:
            case BuiltinOperator.PADV2:
            case BuiltinOperator.MIRROR_PAD:
            {
                int[] x = lookup(inputs[0]).Shape;
                int[] pads = ReadInt32s(lookup(inputs[1]));
                if (pads.Length != 2 * x.Length)
                {
                    throw new OpGraphException($"{op}: paddings of {pads.Length} values for rank {x.Length}");
                }
                var result = new int[x.Length];
                for (int d = 0; d < x.Length; d++)
                {
                    if (pads[2 * d] < 0 || pads[2 * d + 1] < 0)
                    {
                        throw new OpGraphException($"{op}: negative padding");
                    }
                    result[d] = checked(x[d] + pads[2 * d] + pads[2 * d + 1]);
                }
                return result;
            }
            case BuiltinOperator.MEAN:
            case BuiltinOperator.SUM:
            case BuiltinOperator.REDUCE_MAX:
            case BuiltinOperator.REDUCE_MIN:
            case BuiltinOperator.REDUCE_PROD:
            {
                int[] x = lookup(inputs[0]).Shape;
                int[] axes = ReadInt32s(lookup(inputs[1]));
                bool keep = options is ReducerOptions { KeepDims: true };
                var reduced = new bool[x.Length];
                foreach (int a in axes)
                {
                    int axis = a < 0 ? a + x.Length : a;
                    if ((uint)axis >= (uint)x.Length)
                    {
                        throw new OpGraphException($"{op}: axis {a} is out of range for rank {x.Length}");
                    }
                    reduced[axis] = true;
                }
                var result = new List<int>(x.Length);
                for (int d = 0; d < x.Length; d++)
                {
                    if (!reduced[d])
                    {
                        result.Add(x[d]);
                    }
                    else if (keep)
                    {
                        result.Add(1);
                    }
                }
                return [.. result];
            }
            case BuiltinOperator.SOFTMAX:
            case BuiltinOperator.LOG_SOFTMAX:
            case BuiltinOperator.HARD_SWISH:
            case BuiltinOperator.LOGISTIC:
            case BuiltinOperator.TANH:
            case BuiltinOperator.RELU:
            case BuiltinOperator.RELU6:
            case BuiltinOperator.RELU_N1_TO_1:
            case BuiltinOperator.LEAKY_RELU:
            case BuiltinOperator.QUANTIZE:
            case BuiltinOperator.DEQUANTIZE:
            case BuiltinOperator.CAST:
            case BuiltinOperator.ABS:
            case BuiltinOperator.EXP:
            case BuiltinOperator.NEG:
            case BuiltinOperator.SQRT:
            case BuiltinOperator.RSQRT:
            case BuiltinOperator.SQUARE:
                return (int[])lookup(inputs[0]).Shape.Clone();
            default:
                return null;
        }
    }

    /// <summary>NumPy broadcasting of two shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b, BuiltinOperator op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int k = 0; k < rank; k++)
        {
            int da = k < rank - a.Length ? 1 : a[k - (rank - a.Length)];
            int db = k < rank - b.Length ? 1 : b[k - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
            {
                throw new OpGraphException(
                    $"{op}: shapes [{string.Join(',', a)}] and [{string.Join(',', b)}] do not broadcast");
            }
            result[k] = da == 1 ? db : da;
        }
        return result;
    }

    private static int[] ResolveReshape(int[] input, int[] target)
    {
        long total = Elements(input);
        long known = 1;
        int unknown = -1;
        var result = (int[])target.Clone();
        for (int d = 0; d < result.Length; d++)
        {
            if (result[d] == -1)
            {
                if (unknown >= 0)
                {
                    throw new OpGraphException("RESHAPE: more than one -1 in the new shape");
                }
                unknown = d;
            }
            else if (result[d] < 0)
            {
                throw new OpGraphException($"RESHAPE: dimension {result[d]} is not valid");
            }
            else
            {
                known *= result[d];
            }
        }
        if (unknown >= 0)
        {
            if (known == 0 || total % known != 0)
            {
                throw new OpGraphException($"RESHAPE: cannot fit {total} elements into [{string.Join(',', target)}]");
            }
            result[unknown] = checked((int)(total / known));
            known = total;
        }
        if (known != total)
        {
            throw new OpGraphException(
                $"RESHAPE: [{string.Join(',', input)}] has {total} elements, [{string.Join(',', target)}] {known}");
        }
        return result;
    }

    private static int[] ReadInt32s((int[] Shape, TensorType Type, ReadOnlyMemory<byte> Data) t)
    {
        if (t.Type != TensorType.Int32 || t.Data.Length % 4 != 0 || t.Data.Length / 4 != Elements(t.Shape))
        {
            throw new OpGraphException("expected a constant INT32 tensor with data");
        }
        ReadOnlySpan<byte> span = t.Data.Span;
        var values = new int[span.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(4 * i)..]);
        }
        return values;
    }

    private static int[] Rank(int[] shape, int rank, string what)
    {
        if (shape.Length != rank)
        {
            throw new OpGraphException($"{what} has rank {shape.Length} ([{string.Join(',', shape)}]), expected {rank}");
        }
        return shape;
    }

    private static long Elements(int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }
        return n;
    }
}
