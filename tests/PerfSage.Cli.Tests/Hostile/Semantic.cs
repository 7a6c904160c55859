using System.Globalization;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// Semantic mutations: the seed's parsed model is copied into a <see cref="DraftModel"/>, edited (a shape, a type,
/// a scale, an option, an operator's operands, the operator order, the subgraph list) and written again by the
/// project's writer. Each mutator edits the draft in place and returns what it did, or null when it does not apply
/// to this seed.
/// </summary>
internal static class Semantic
{
    private delegate string? Mutator(Random rng, DraftModel draft);

    private static readonly Dictionary<string, Mutator> Mutators = new(StringComparer.Ordinal)
    {
        ["shape/dim"] = ShapeDim,
        ["shape/overflow"] = ShapeOverflow,
        ["shape/rank"] = ShapeRank,
        ["shape/signature"] = ShapeSignature,
        ["tensor/type"] = TensorTypeChange,
        ["tensor/buffer-data"] = BufferData,
        ["quant/scale"] = QuantScale,
        ["quant/params"] = QuantParams,
        ["options/window"] = OptionsWindow,
        ["options/other"] = OptionsOther,
        ["options/mismatch"] = OptionsMismatch,
        ["opcode/swap"] = OpcodeSwap,
        ["opcode/unknown"] = OpcodeUnknown,
        ["op/inputs"] = OpInputs,
        ["op/outputs"] = OpOutputs,
        ["op/order"] = OpOrder,
        ["graph/io"] = GraphIo,
        ["graph/subgraphs"] = Subgraphs,
        ["scale/operators"] = ManyOperators,
        ["scale/tensors"] = ManyTensors,
        ["names"] = Names,
    };

    /// <summary>The mutators <c>combined</c> draws from (those that keep the file small).</summary>
    private static readonly string[] Combinable =
    [
        "shape/dim", "shape/overflow", "shape/rank", "shape/signature", "tensor/type", "tensor/buffer-data", "quant/scale",
        "quant/params", "options/window", "options/other", "options/mismatch", "opcode/swap", "opcode/unknown", "op/inputs",
        "op/outputs", "op/order", "graph/io",
    ];

    private static readonly int[] Dims = [0, -1, -7, int.MaxValue, int.MinValue, 65536, 1 << 20, 1 << 30, 46341];

    private static readonly int[] Extremes = [0, -1, -7, int.MaxValue, int.MinValue, 65536, 1 << 30];

    public static (byte[] Bytes, string Detail)? Apply(string kind, Random rng, SeedModel seed)
    {
        DraftModel draft = seed.Draft();
        if (draft.Subgraphs.Count == 0)
        {
            return null;
        }
        string? detail;
        if (kind == "combined")
        {
            int count = 2 + rng.Next(3);
            var parts = new List<string>();
            for (int k = 0; k < count; k++)
            {
                string part = rng.Pick(Combinable);
                string? done = Mutators[part](rng, draft);
                if (done is not null)
                {
                    parts.Add($"[{part}] {done}");
                }
            }
            detail = parts.Count == 0 ? null : string.Join("; ", parts);
        }
        else
        {
            detail = Mutators[kind](rng, draft);
        }
        if (detail is null)
        {
            return null;
        }
        byte[]? bytes = draft.Write();
        return bytes is null ? null : (bytes, detail);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static string Shape(IReadOnlyList<int> shape) =>
        shape.Count > 8 ? $"[rank {shape.Count}: {string.Join(",", shape.Take(4))},…]" : "[" + string.Join(",", shape) + "]";

    private static int RandomTensor(Random rng, DraftSubgraph sg) => sg.Tensors.Count == 0 ? -1 : rng.Next(sg.Tensors.Count);

    /// <summary>Half the time a graph input (whose shape the rest of the graph follows), else any tensor.</summary>
    private static int InterestingTensor(Random rng, DraftSubgraph sg) =>
        sg.Inputs.Count > 0 && rng.Next(2) == 0 && (uint)sg.Inputs[0] < (uint)sg.Tensors.Count ? sg.Inputs[0] : RandomTensor(rng, sg);

    private static string TensorPath(DraftSubgraph sg, int t) => $"tensors[{t}] '{Clip(sg.Tensors[t].Name)}'";

    private static string Clip(string name) => name.Length > 40 ? name[..40] + "…" : name;

    private static int RandomOperator(Random rng, DraftSubgraph sg) => sg.Operators.Count == 0 ? -1 : rng.Next(sg.Operators.Count);

    private static string OpPath(DraftModel draft, DraftSubgraph sg, int o)
    {
        uint code = sg.Operators[o].OpcodeIndex;
        string name = code < (uint)draft.OperatorCodes.Count ? draft.OperatorCodes[(int)code].Name : "?";
        return $"operators[{o}] {name}";
    }

    private static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    // ---- shapes ------------------------------------------------------------------------------

    private static string? ShapeDim(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int t = InterestingTensor(rng, sg);
        if (t < 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        string before = Shape(tensor.Shape);
        int value = rng.Pick(Dims);
        if (tensor.Shape.Length == 0)
        {
            tensor.Shape = [value];
        }
        else
        {
            int d = rng.Next(tensor.Shape.Length);
            tensor.Shape[d] = value;
            if (tensor.ShapeSignature is { Length: > 0 } signature && d < signature.Length)
            {
                signature[d] = value;
            }
        }
        return $"{TensorPath(sg, t)} shape {before} -> {Shape(tensor.Shape)}";
    }

    private static string? ShapeOverflow(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int t = InterestingTensor(rng, sg);
        if (t < 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        string before = Shape(tensor.Shape);
        int[][] shapes =
        [
            [65536, 65536, 65536, 65536, 65536, 65536],
            [int.MaxValue, int.MaxValue],
            [1, int.MaxValue, int.MaxValue, int.MaxValue],
            [46341, 46341],
            [1, 65536, 65536, 65536],
            [1 << 30, 8],
        ];
        int choice = rng.Next(shapes.Length + 1);
        if (choice == shapes.Length && tensor.Shape.Length > 0)
        {
            // Keep the rank (so the operator's rules still apply) and make every dimension large.
            int big = rng.Pick([65536, 1 << 20, int.MaxValue]);
            tensor.Shape = [.. tensor.Shape.Select(_ => big)];
        }
        else
        {
            tensor.Shape = [.. shapes[Math.Min(choice, shapes.Length - 1)]];
        }
        tensor.ShapeSignature = null;
        return $"{TensorPath(sg, t)} shape {before} -> {Shape(tensor.Shape)}";
    }

    private static string? ShapeRank(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int t = InterestingTensor(rng, sg);
        if (t < 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        string before = Shape(tensor.Shape);
        tensor.Shape = rng.Next(6) switch
        {
            0 => [],
            1 => [.. Enumerable.Repeat(1, 100)],
            2 => [.. Enumerable.Repeat(2, 100)],
            3 => [.. Enumerable.Repeat(3, 9)],
            4 => tensor.Shape.Length > 0 ? [tensor.Shape.Aggregate(1, (a, b) => unchecked(a * Math.Max(b, 1)))] : [7],
            _ => [.. tensor.Shape, .. tensor.Shape],
        };
        tensor.ShapeSignature = null;
        tensor.HasRank = rng.Next(2) == 0;
        return $"{TensorPath(sg, t)} shape {before} -> {Shape(tensor.Shape)} (has_rank {tensor.HasRank})";
    }

    private static string? ShapeSignature(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int t = InterestingTensor(rng, sg);
        if (t < 0 || sg.Tensors[t].Shape.Length == 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        int value = rng.Pick([-1, -7, 0, int.MaxValue, int.MinValue]);
        tensor.ShapeSignature = [.. tensor.Shape.Select(_ => value)];
        if (rng.Next(2) == 0)
        {
            tensor.Shape = [.. tensor.Shape.Select(_ => -1)];
        }
        return $"{TensorPath(sg, t)} shape {Shape(tensor.Shape)} signature {Shape(tensor.ShapeSignature)}";
    }

    // ---- tensors -----------------------------------------------------------------------------

    private static string? TensorTypeChange(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int t = InterestingTensor(rng, sg);
        if (t < 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        TensorType before = tensor.Type;
        byte[] types = [23, 50, 100, 255, 5, 6, 8, 10, 11, 13, 14, 17, 19, 20, 21, 22, 12];
        tensor.Type = (TensorType)rng.Pick(types);
        return $"{TensorPath(sg, t)} type {(int)before} -> {(int)tensor.Type}";
    }

    private static string? BufferData(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        List<int> constants = [.. Enumerable.Range(0, sg.Tensors.Count).Where(i => sg.Tensors[i].Buffer != 0)];
        int choice = rng.Next(6);
        if (choice == 5 || constants.Count == 0)
        {
            // An activation (or the graph input) gets data: a constant where the graph computes a value.
            int a = InterestingTensor(rng, sg);
            if (a < 0)
            {
                return null;
            }
            int bytes = rng.Pick([1, 4, 4096]);
            sg.Tensors[a].Buffer = draft.AddBuffer(new byte[bytes]);
            return $"{TensorPath(sg, a)} (not constant) given a {bytes}-byte buffer";
        }
        int t = rng.Pick(constants);
        DraftTensor tensor = sg.Tensors[t];
        ReadOnlyMemory<byte> data = draft.Buffers[(int)tensor.Buffer];
        switch (choice)
        {
            case 0:
                tensor.Buffer = draft.AddBuffer(data[..Math.Min(1, data.Length)]);
                return $"{TensorPath(sg, t)} data {data.Length} -> 1 byte";
            case 1:
                tensor.Buffer = draft.AddBuffer(data[..(data.Length / 2)]);
                return $"{TensorPath(sg, t)} data {data.Length} -> {data.Length / 2} bytes";
            case 2:
                tensor.Buffer = draft.AddBuffer(new byte[(data.Length * 2) + 13]);
                return $"{TensorPath(sg, t)} data {data.Length} -> {(data.Length * 2) + 13} bytes";
            case 3:
            {
                int other = rng.Pick(constants);
                tensor.Buffer = sg.Tensors[other].Buffer;
                return $"{TensorPath(sg, t)} shares the buffer of {TensorPath(sg, other)}";
            }
            default:
                tensor.Buffer = 0;
                return $"{TensorPath(sg, t)} loses its data (buffer 0): a weight without a value";
        }
    }

    // ---- quantisation ------------------------------------------------------------------------

    private static string? QuantScale(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        List<int> quantised = [.. Enumerable.Range(0, sg.Tensors.Count).Where(i => sg.Tensors[i].Quantization is { Scale.Count: > 0 })];
        int t = quantised.Count > 0 && rng.Next(5) != 0 ? rng.Pick(quantised) : InterestingTensor(rng, sg);
        if (t < 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -1f, -0f, float.Epsilon, float.MaxValue, 1e-30f];
        float value = rng.Pick(values);
        QuantizationParameters q = tensor.Quantization ?? new QuantizationParameters([1f], [0], 0, [], []);
        float[] scales = [.. q.Scale];
        if (scales.Length == 0)
        {
            scales = [value];
        }
        bool all = rng.Next(2) == 0;
        for (int k = 0; k < scales.Length; k++)
        {
            if (all || k == 0)
            {
                scales[k] = value;
            }
        }
        long[] zeroPoints = q.ZeroPoint.Count == scales.Length ? [.. q.ZeroPoint] : [.. scales.Select(_ => 0L)];
        tensor.Quantization = q with { Scale = scales, ZeroPoint = zeroPoints };
        return $"{TensorPath(sg, t)} scale{(all ? "s" : "[0]")} -> {F(value)} ({scales.Length} scale(s))";
    }

    private static string? QuantParams(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int t = InterestingTensor(rng, sg);
        if (t < 0)
        {
            return null;
        }
        DraftTensor tensor = sg.Tensors[t];
        QuantizationParameters q = tensor.Quantization ?? new QuantizationParameters([0.5f], [0], 0, [], []);
        switch (rng.Next(6))
        {
            case 0:
            {
                long zp = rng.Pick([long.MaxValue, long.MinValue, 1L << 40, -129L, 300L]);
                tensor.Quantization = q with { ZeroPoint = [.. q.Scale.Select(_ => zp)] };
                return $"{TensorPath(sg, t)} zero points -> {zp}";
            }
            case 1:
            {
                int dim = rng.Pick([100, int.MaxValue, tensor.Shape.Length, 7]);
                tensor.Quantization = q with { QuantizedDimension = dim };
                return $"{TensorPath(sg, t)} quantized_dimension -> {dim} (rank {tensor.Shape.Length})";
            }
            case 2:
            {
                int n = rng.Pick([1000, 3, 65536]);
                tensor.Quantization = q with { Scale = [.. Enumerable.Repeat(0.01f, n)], ZeroPoint = [.. Enumerable.Repeat(0L, n)] };
                return $"{TensorPath(sg, t)} {n} per-channel scales (shape {Shape(tensor.Shape)})";
            }
            case 3:
            {
                float v = rng.Pick([float.NaN, float.PositiveInfinity, float.NegativeInfinity]);
                tensor.Quantization = q with { Min = [v], Max = [-v] };
                return $"{TensorPath(sg, t)} min/max -> {F(v)}/{F(-v)}";
            }
            case 4:
            {
                int block = rng.Pick([0, -1, int.MaxValue, 1]);
                tensor.Quantization = q with { Details = new BlockwiseQuantization(t, -1, block) };
                return $"{TensorPath(sg, t)} blockwise quantisation with itself as scales, block size {block}";
            }
            default:
            {
                int block = rng.Pick([0, -1, int.MaxValue]);
                int[] dims = [.. Enumerable.Repeat(rng.Pick([int.MaxValue, -1, 100]), rng.Next(1, 20))];
                tensor.Quantization = q with { Details = new MultiAxisQuantization(t, t, block, dims) };
                return $"{TensorPath(sg, t)} multi-axis quantisation, block {block}, dims {Shape(dims)}";
            }
        }
    }

    // ---- options -----------------------------------------------------------------------------

    private static string? OptionsWindow(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        List<int> ops = [.. Enumerable.Range(0, sg.Operators.Count).Where(i => sg.Operators[i].Options is
            Conv2DOptions or DepthwiseConv2DOptions or Pool2DOptions or TransposeConvOptions or Conv3DOptions)];
        if (ops.Count == 0)
        {
            return null;
        }
        int o = rng.Pick(ops);
        DraftOperator op = sg.Operators[o];
        int v = rng.Pick(Extremes);
        var padding = (Padding)rng.Pick([2, 7, 255]);
        var activation = (ActivationFunctionType)rng.Pick([6, 99, 255]);
        int field = rng.Next(6);
        (OperatorOptions Changed, string What) window = op.Options switch
        {
            Conv2DOptions c => field switch
            {
                0 => (c with { StrideW = v }, "stride_w"),
                1 => (c with { StrideH = v, StrideW = v }, "stride_h and stride_w"),
                2 => (c with { DilationWFactor = v }, "dilation_w"),
                3 => (c with { DilationHFactor = v, DilationWFactor = v }, "dilation_h and dilation_w"),
                4 => (c with { Padding = padding }, $"padding {(int)padding}"),
                _ => (c with { FusedActivation = activation }, $"activation {(int)activation}"),
            },
            DepthwiseConv2DOptions d => field switch
            {
                0 => (d with { StrideW = v }, "stride_w"),
                1 => (d with { StrideH = v }, "stride_h"),
                2 => (d with { DepthMultiplier = v }, "depth_multiplier"),
                3 => (d with { DilationHFactor = v }, "dilation_h"),
                4 => (d with { Padding = padding }, $"padding {(int)padding}"),
                _ => (d with { FusedActivation = activation }, $"activation {(int)activation}"),
            },
            Pool2DOptions p => field switch
            {
                0 => (p with { StrideW = v }, "stride_w"),
                1 => (p with { StrideH = v }, "stride_h"),
                2 => (p with { FilterWidth = v }, "filter_width"),
                3 => (p with { FilterHeight = v, FilterWidth = v }, "filter_height and filter_width"),
                4 => (p with { Padding = padding }, $"padding {(int)padding}"),
                _ => (p with { FusedActivation = activation }, $"activation {(int)activation}"),
            },
            TransposeConvOptions tc => field switch
            {
                < 2 => (tc with { StrideW = v }, "stride_w"),
                < 4 => (tc with { StrideH = v }, "stride_h"),
                4 => (tc with { Padding = padding }, $"padding {(int)padding}"),
                _ => (tc with { FusedActivation = activation }, $"activation {(int)activation}"),
            },
            Conv3DOptions c3 => field switch
            {
                0 => (c3 with { StrideD = v }, "stride_d"),
                1 => (c3 with { StrideW = v }, "stride_w"),
                2 => (c3 with { DilationDFactor = v }, "dilation_d"),
                3 => (c3 with { DilationHFactor = v }, "dilation_h"),
                4 => (c3 with { Padding = padding }, $"padding {(int)padding}"),
                _ => (c3 with { FusedActivation = activation }, $"activation {(int)activation}"),
            },
            _ => throw new InvalidOperationException("filtered above"),
        };
        op.Options = window.Changed;
        return window.What.StartsWith("padding", StringComparison.Ordinal) || window.What.StartsWith("activation", StringComparison.Ordinal)
            ? $"{OpPath(draft, sg, o)} {window.What}"
            : $"{OpPath(draft, sg, o)} {window.What} -> {v}";
    }

    private static string? OptionsOther(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        List<int> ops = [.. Enumerable.Range(0, sg.Operators.Count).Where(i => sg.Operators[i].Options is not null)];
        if (ops.Count == 0)
        {
            return null;
        }
        int o = rng.Pick(ops);
        DraftOperator op = sg.Operators[o];
        int v = rng.Pick(Extremes);
        float f = rng.Pick([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1f, 0f, float.MaxValue]);
        var activation = (ActivationFunctionType)rng.Pick([6, 99, 255]);
        (OperatorOptions? Changed, string What) other = op.Options switch
        {
            ReshapeOptions => (new ReshapeOptions(rng.Next(4) switch
            {
                0 => [-1, -1],
                1 => [0],
                2 => [int.MaxValue, int.MaxValue],
                _ => [.. Enumerable.Repeat(-7, 100)],
            }), "new_shape"),
            ConcatenationOptions c => rng.Next(2) == 0 ? (c with { Axis = v }, $"axis {v}") : (c with { FusedActivation = activation }, $"activation {(int)activation}"),
            SoftmaxOptions => (new SoftmaxOptions(f), $"beta {F(f)}"),
            FullyConnectedOptions fc => rng.Next(3) switch
            {
                0 => (fc with { WeightsFormat = (FullyConnectedWeightsFormat)rng.Pick([1, 9, 255]) }, "weights_format"),
                1 => (fc with { KeepNumDims = !fc.KeepNumDims }, "keep_num_dims flipped"),
                _ => (fc with { FusedActivation = activation }, $"activation {(int)activation}"),
            },
            ArithmeticOptions a => (a with { FusedActivation = activation }, $"activation {(int)activation}"),
            ReducerOptions r => (r with { KeepDims = !r.KeepDims }, "keep_dims flipped"),
            SplitOptions => (new SplitOptions(v), $"num_splits {v}"),
            GatherOptions g => (g with { Axis = v, BatchDims = rng.Pick(Extremes) }, $"axis {v}"),
            SqueezeOptions => (new SqueezeOptions([v, -v, 100]), $"squeeze_dims [{v},{-v},100]"),
            PackOptions => (new PackOptions(v, rng.Pick(Extremes)), $"values_count {v}"),
            BlockSizeOptions => (new BlockSizeOptions(v), $"block_size {v}"),
            LocalResponseNormalizationOptions => (new LocalResponseNormalizationOptions(v, f, f, f), $"radius {v}, bias/alpha/beta {F(f)}"),
            LeakyReluOptions => (new LeakyReluOptions(f), $"alpha {F(f)}"),
            StridedSliceOptions => (new StridedSliceOptions(-1, -1, -1, -1, -1, true), "all masks -1"),
            ArgMinMaxOptions => (new ArgMinMaxOptions((TensorType)rng.Pick([23, 255, 0])), "output type"),
            CastOptions => (new CastOptions((TensorType)255, (TensorType)100), "in/out types 255/100"),
            _ => (null, ""),
        };
        if (other.Changed is null)
        {
            return null;
        }
        op.Options = other.Changed;
        return $"{OpPath(draft, sg, o)} {other.What}";
    }

    private static string? OptionsMismatch(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int o = RandomOperator(rng, sg);
        if (o < 0)
        {
            return null;
        }
        DraftOperator op = sg.Operators[o];
        switch (rng.Next(4))
        {
            case 0:
                op.OptionsType = BuiltinOptionsType.None;
                op.Options = null;
                return $"{OpPath(draft, sg, o)} options removed";
            case 1:
                op.OptionsType = BuiltinOptionsType.Pool2DOptions;
                op.Options = new Pool2DOptions(Padding.Valid, 3, 3, 9, 9, ActivationFunctionType.Relu);
                return $"{OpPath(draft, sg, o)} given Pool2DOptions (stride 3, filter 9x9)";
            case 2:
                op.OptionsType = BuiltinOptionsType.Conv2DOptions;
                op.Options = new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu6, 4, 4);
                return $"{OpPath(draft, sg, o)} given Conv2DOptions (stride 2, dilation 4)";
            default:
            {
                // A tag whose table the object model does not decode: written as an empty table under it.
                BuiltinOptionsType tag = rng.Pick([BuiltinOptionsType.LSHProjectionOptions, BuiltinOptionsType.SkipGramOptions,
                    BuiltinOptionsType.EmbeddingLookupSparseOptions, BuiltinOptionsType.TopKV2Options]);
                op.OptionsType = tag;
                op.Options = null;
                return $"{OpPath(draft, sg, o)} given an empty {tag} table";
            }
        }
    }

    // ---- operator codes ----------------------------------------------------------------------

    private static string? OpcodeSwap(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int o = RandomOperator(rng, sg);
        if (o < 0)
        {
            return null;
        }
        DraftOperator op = sg.Operators[o];
        string before = OpPath(draft, sg, o);
        if (rng.Next(2) == 0 && draft.OperatorCodes.Count > 1)
        {
            uint other = (uint)rng.Next(draft.OperatorCodes.Count);
            op.OpcodeIndex = other;
        }
        else
        {
            // Any builtin of the schema, operands unchanged: wrong arity, wrong ranks, missing weights.
            int code = rng.Next(0, OperatorCode.MaxKnownCode + 1);
            if (code == (int)BuiltinOperator.CUSTOM)
            {
                code = (int)BuiltinOperator.CONV_2D;
            }
            op.OpcodeIndex = draft.CodeIndex(new OperatorCode(code, null, 1));
        }
        return $"{before} -> {draft.OperatorCodes[(int)op.OpcodeIndex].Name} (operands and options kept)";
    }

    private static string? OpcodeUnknown(Random rng, DraftModel draft)
    {
        if (draft.OperatorCodes.Count == 0)
        {
            return null;
        }
        int k = rng.Next(draft.OperatorCodes.Count);
        OperatorCode before = draft.OperatorCodes[k];
        OperatorCode after = rng.Next(6) switch
        {
            0 => new OperatorCode(9999, null, 1),
            1 => new OperatorCode(OperatorCode.MaxKnownCode + 1, null, 1),
            2 => new OperatorCode(int.MaxValue, null, 1),
            3 => new OperatorCode(127, null, 1),
            4 => new OperatorCode(before.Code, null, int.MaxValue),
            _ => new OperatorCode((int)BuiltinOperator.CUSTOM, rng.Pick(["", "\n\u001b[31mred", new string('x', 10_000), "ethos-u"]), 1),
        };
        draft.OperatorCodes[k] = after;
        return $"operator_codes[{k}] {before.Name} v{before.Version} -> code {after.Code} '{Clip(after.CustomCode ?? "")}' v{after.Version}";
    }

    // ---- operators and graph structure -------------------------------------------------------

    private static string? OpInputs(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int o = RandomOperator(rng, sg);
        if (o < 0)
        {
            return null;
        }
        DraftOperator op = sg.Operators[o];
        string path = OpPath(draft, sg, o);
        int k = op.Inputs.Count == 0 ? -1 : rng.Next(op.Inputs.Count);
        switch (rng.Next(8))
        {
            case 0 when k >= 0:
                op.Inputs[k] = -1;
                return $"{path} input {k} -> -1 (omitted)";
            case 1 when k >= 0 && op.Outputs.Count > 0:
                op.Inputs[k] = op.Outputs[0];
                return $"{path} input {k} -> its own output {op.Outputs[0]} (self loop)";
            case 2 when k >= 0 && o + 1 < sg.Operators.Count && sg.Operators[^1].Outputs.Count > 0:
                op.Inputs[k] = sg.Operators[^1].Outputs[0];
                return $"{path} input {k} -> the output of the last operator (forward reference)";
            case 3 when k >= 0:
            {
                int t = RandomTensor(rng, sg);
                op.Inputs[k] = t;
                return $"{path} input {k} -> {TensorPath(sg, t)}";
            }
            case 4 when k >= 0:
                op.Inputs = [.. op.Inputs.Select(_ => op.Inputs[k])];
                return $"{path} every input -> input {k} ({op.Inputs[k]})";
            case 5:
            {
                int n = rng.Pick([50, 1000]);
                int t = op.Inputs.Count > 0 && op.Inputs[0] >= 0 ? op.Inputs[0] : 0;
                op.Inputs.AddRange(Enumerable.Repeat(t, n));
                return $"{path} {n} extra inputs";
            }
            case 6:
                op.Inputs.Clear();
                return $"{path} inputs removed";
            default:
                if (k < 0)
                {
                    return null;
                }
                op.Inputs.RemoveAt(k);
                return $"{path} input {k} removed";
        }
    }

    private static string? OpOutputs(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int o = RandomOperator(rng, sg);
        if (o < 0)
        {
            return null;
        }
        DraftOperator op = sg.Operators[o];
        string path = OpPath(draft, sg, o);
        switch (rng.Next(6))
        {
            case 0:
                op.Outputs.Clear();
                return $"{path} outputs removed";
            case 1 when op.Inputs.Count > 0 && op.Inputs[0] >= 0:
                op.Outputs = [op.Inputs[0]];
                return $"{path} output -> its own input {op.Inputs[0]} (writes its operand)";
            case 2 when sg.Inputs.Count > 0:
                op.Outputs = [sg.Inputs[0]];
                return $"{path} output -> the graph input {sg.Inputs[0]}";
            case 3:
            {
                int constant = Enumerable.Range(0, sg.Tensors.Count).FirstOrDefault(i => sg.Tensors[i].Buffer != 0, -1);
                if (constant < 0)
                {
                    return null;
                }
                op.Outputs = [constant];
                return $"{path} output -> the constant {TensorPath(sg, constant)}";
            }
            case 4 when sg.Operators.Count > 1:
            {
                int other = (o + 1 + rng.Next(sg.Operators.Count - 1)) % sg.Operators.Count;
                op.Outputs = [.. sg.Operators[other].Outputs];
                return $"{path} outputs -> those of {OpPath(draft, sg, other)} (two writers)";
            }
            default:
            {
                int n = rng.Pick([10, 500]);
                op.Outputs.AddRange(Enumerable.Range(0, n).Select(i => i % Math.Max(1, sg.Tensors.Count)));
                return $"{path} {n} extra outputs (existing tensors)";
            }
        }
    }

    private static string? OpOrder(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        int n = sg.Operators.Count;
        if (n == 0)
        {
            return null;
        }
        switch (rng.Next(5))
        {
            case 0 when n > 1:
            {
                int a = rng.Next(n);
                int b = (a + 1 + rng.Next(n - 1)) % n;
                (sg.Operators[a], sg.Operators[b]) = (sg.Operators[b], sg.Operators[a]);
                return $"operators {a} and {b} swapped";
            }
            case 1 when n > 1:
                sg.Operators.Reverse();
                return $"operator order reversed ({n} operators)";
            case 2:
            {
                int a = rng.Next(n);
                sg.Operators.Insert(a + 1, sg.Operators[a].Clone());
                return $"operator {a} duplicated (its output written twice)";
            }
            case 3:
            {
                int a = rng.Next(n);
                sg.Operators.RemoveAt(a);
                return $"operator {a} removed (its output never written)";
            }
            default:
            {
                if (n < 2)
                {
                    return null;
                }
                // Cycle: an early operator reads the output of a later one that depends on it.
                int a = rng.Next(n - 1);
                int b = a + 1 + rng.Next(n - a - 1);
                if (sg.Operators[a].Inputs.Count == 0 || sg.Operators[b].Outputs.Count == 0)
                {
                    return null;
                }
                sg.Operators[a].Inputs[0] = sg.Operators[b].Outputs[0];
                (sg.Operators[a], sg.Operators[b]) = (sg.Operators[b], sg.Operators[a]);
                return $"cycle: operator {a} reads the output of operator {b}, then the two swapped";
            }
        }
    }

    private static string? GraphIo(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        switch (rng.Next(6))
        {
            case 0:
                sg.Inputs.Clear();
                return "subgraph inputs removed";
            case 1:
                sg.Outputs.Clear();
                return "subgraph outputs removed";
            case 2:
                sg.Inputs.Clear();
                sg.Inputs.AddRange(Enumerable.Range(0, sg.Tensors.Count));
                return $"every tensor ({sg.Tensors.Count}) is a subgraph input";
            case 3:
                sg.Outputs.Clear();
                sg.Outputs.AddRange(Enumerable.Range(0, sg.Tensors.Count));
                return $"every tensor ({sg.Tensors.Count}) is a subgraph output";
            case 4 when sg.Inputs.Count > 0:
                sg.Inputs.AddRange(Enumerable.Repeat(sg.Inputs[0], 100));
                return "subgraph input listed 101 times";
            default:
            {
                int constant = Enumerable.Range(0, sg.Tensors.Count).FirstOrDefault(i => sg.Tensors[i].Buffer != 0, -1);
                if (constant < 0)
                {
                    return null;
                }
                sg.Inputs.Clear();
                sg.Inputs.Add(constant);
                return $"subgraph input -> the constant {TensorPath(sg, constant)}";
            }
        }
    }

    private static string? Subgraphs(Random rng, DraftModel draft)
    {
        draft.SignatureDefs.Clear();
        switch (rng.Next(4))
        {
            case 0:
                draft.Subgraphs.Clear();
                return "no subgraphs";
            case 1:
                draft.Subgraphs.Insert(0, new DraftSubgraph { Name = "empty" });
                return "an empty subgraph (no tensors, no operators) first";
            case 2:
            {
                int copies = rng.Pick([20, 100]);
                DraftSubgraph main = draft.Main;
                for (int k = 0; k < copies; k++)
                {
                    draft.Subgraphs.Add(main.Clone());
                }
                return $"{copies} copies of subgraph 0 appended";
            }
            default:
                draft.Main.Operators.Clear();
                return "subgraph 0 without operators (outputs never written)";
        }
    }

    // ---- scale -------------------------------------------------------------------------------

    private static string? ManyOperators(Random rng, DraftModel draft)
    {
        int n = rng.Pick([1_000, 3_000, 10_000]);
        var sg = new DraftSubgraph { Name = "many" };
        var shape = new int[] { 1, rng.Pick([8, 1024]) };
        uint add = draft.CodeIndex(new OperatorCode((int)BuiltinOperator.ADD, null, 1));
        sg.Tensors.Add(new DraftTensor { Name = "in", Shape = [.. shape], Type = TensorType.Float32 });
        string shapeText = Shape(shape);
        if (rng.Next(2) == 0)
        {
            // A chain: each ADD reads the previous result twice.
            for (int k = 0; k < n; k++)
            {
                sg.Tensors.Add(new DraftTensor { Name = "t" + k.ToString(CultureInfo.InvariantCulture), Shape = [.. shape], Type = TensorType.Float32 });
                sg.Operators.Add(new DraftOperator { OpcodeIndex = add, Inputs = [k, k], Outputs = [k + 1] });
            }
            sg.Inputs.Add(0);
            sg.Outputs.Add(n);
            draft.Subgraphs.Insert(0, sg);
            draft.SignatureDefs.Clear();
            return $"subgraph 0 is a chain of {n} ADD operators on {shapeText}";
        }
        // A star: every ADD reads the input; every result is a subgraph output.
        for (int k = 0; k < n; k++)
        {
            sg.Tensors.Add(new DraftTensor { Name = "t" + k.ToString(CultureInfo.InvariantCulture), Shape = [.. shape], Type = TensorType.Float32 });
            sg.Operators.Add(new DraftOperator { OpcodeIndex = add, Inputs = [0, 0], Outputs = [k + 1] });
            sg.Outputs.Add(k + 1);
        }
        sg.Inputs.Add(0);
        draft.Subgraphs.Insert(0, sg);
        draft.SignatureDefs.Clear();
        return $"subgraph 0 is a star of {n} ADD operators on {shapeText}, all outputs";
    }

    private static string? ManyTensors(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        switch (rng.Next(3))
        {
            case 0:
            {
                int n = rng.Pick([5_000, 20_000]);
                for (int k = 0; k < n; k++)
                {
                    sg.Tensors.Add(new DraftTensor { Name = "", Shape = [1], Type = TensorType.Int8 });
                }
                return $"{n} unused tensors added";
            }
            case 1:
            {
                for (int k = 0; k < 1000; k++)
                {
                    sg.Tensors.Add(new DraftTensor { Name = "big", Shape = [1 << 20, 1024], Type = TensorType.Float32 });
                }
                return "1000 unused [1048576,1024] float tensors added";
            }
            default:
            {
                int first = sg.Tensors.Count;
                for (int k = 0; k < 1000; k++)
                {
                    sg.Tensors.Add(new DraftTensor { Name = "big", Shape = [1 << 16, 1 << 14], Type = TensorType.Float32 });
                    sg.Outputs.Add(first + k);
                }
                return "1000 [65536,16384] float tensors added as subgraph outputs (never written)";
            }
        }
    }

    private static string? Names(Random rng, DraftModel draft)
    {
        DraftSubgraph sg = draft.Main;
        string name = rng.Pick([new string('n', 10_000), "line1\nline2\r\nline3", "\u001b[2J\u001b[31mred", "", "\0\0\0", "ä\u202Eevil"]);
        string printable = Clip(name.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\u001b", "\\e", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal));
        switch (rng.Next(3))
        {
            case 0:
                foreach (DraftTensor t in sg.Tensors)
                {
                    t.Name = name;
                }
                return $"every tensor named '{printable}' ({name.Length} chars)";
            case 1:
                sg.Name = name;
                draft.Description = name;
                return $"subgraph name and description '{printable}' ({name.Length} chars)";
            default:
                draft.Description = new string('d', 1 << 20);
                return "a 1 MiB description";
        }
    }
}
