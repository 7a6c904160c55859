using PerfSage.Graph.Export;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>
/// Turns an <see cref="OpGraph"/> (typically one made with <see cref="OpGraphBuilder"/>) into a TFLite model
/// that reads back as the same graph: <c>OpGraph.FromModel(TfliteReader.Parse(Write(g, seed)))</c> has the
/// same nodes (types, inputs, outputs, shapes, dtypes, attributes, costs), tensors (shapes, types, constness,
/// quantisation) and graph inputs and outputs as <c>g</c>.
/// </summary>
/// <remarks>
/// <para>Tensors keep their ids, names, shapes and types; operators keep their order, versions, options
/// (under the union tag of their operator, see <see cref="BuiltinOptionsTags"/>) and fused activations.
/// Constants that carry data (shape vectors, paddings, axes, weights of an imported graph) keep it; constants
/// without data (the weights and biases the builder creates) get seeded random values of their type and
/// shape: int8 weights in [-127, 127], int32/int64 biases, float32 weights, float16 weights for the DEQUANTIZE
/// pattern of float16 models. Random data and per-channel scales are a pure function of (graph, seed).</para>
/// <para>Quantisation: see <see cref="QuantizationPlan"/>. Every quantised integer tensor carries parameters;
/// per-channel weights get one scale per output channel, whose first is the graph's; int32 biases get
/// input_scale · weight_scale, zero point 0 (so a bias's first scale may differ from a placeholder in the
/// graph's summary).</para>
/// <para>Tensors with a dynamic dimension get a shape signature whose first dimension is -1 (the graph does not
/// keep which dimension was dynamic). Only the graph's own subgraph is written: control-flow options naming other
/// subgraphs, sparse tensors and block-wise quantisation are refused with an <see cref="OpGraphException"/>.</para>
/// </remarks>
public static class GraphExporter
{
    /// <summary>The object model of <paramref name="graph"/> with seeded data (see the class remarks).</summary>
    public static TfliteModel ToModel(OpGraph graph, int seed) => ToModel(graph, seed, ConstantData.Random, 0);

    /// <summary>
    /// The <c>.tflite</c> bytes of <paramref name="graph"/> without weights (<see cref="TfliteModel.WeightlessFileBytes"/>):
    /// the constants the builder made without data (weights, biases) keep their shape, type and quantisation but
    /// point to an empty buffer of their own; constants with data (shapes, axes) keep it. The metadata marks the
    /// file weightless and declares the size of <see cref="Write"/>'s file for the same graph and seed, which
    /// reads back as this file's flash footprint, so reader, featurizer and estimators see the same graph.
    /// </summary>
    public static byte[] WriteWeightless(OpGraph graph, int seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        // The file with weights has the same layout whatever the weight values, so zeros give its size without
        // drawing random numbers.
        long withWeights = TfliteWriter.Write(ToModel(graph, seed, ConstantData.Zeros, 0)).LongLength;
        return TfliteWriter.Write(ToModel(graph, seed, ConstantData.None, withWeights));
    }

    private enum ConstantData
    {
        Random,
        Zeros,
        None,
    }

    private static TfliteModel ToModel(OpGraph graph, int seed, ConstantData made, long withWeightsBytes)
    {
        ArgumentNullException.ThrowIfNull(graph);
        QuantizationParameters?[] quantization = QuantizationPlan.Plan(graph, seed);

        var buffers = new List<TfliteBuffer> { new(ReadOnlyMemory<byte>.Empty, 0, 0) };
        var tensors = new Tensor[graph.Tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            GraphTensor t = graph.Tensors[i];
            CheckTensor(graph, t);
            uint buffer = 0;
            if (t.IsConstant)
            {
                ReadOnlyMemory<byte> data = !t.Data.IsEmpty ? t.Data : made switch
                {
                    ConstantData.Random => RandomConstants.For(t, seed, graph.Name),
                    ConstantData.Zeros => new byte[RandomConstants.Length(t, graph.Name)],
                    _ => ReadOnlyMemory<byte>.Empty,
                };
                buffer = (uint)buffers.Count;
                buffers.Add(new TfliteBuffer(data, 0, 0));
            }
            tensors[i] = new Tensor
            {
                Name = t.Name,
                Shape = [.. t.Shape],
                ShapeSignature = t.HasDynamicShape ? DynamicSignature(t) : null,
                Type = t.Type,
                Buffer = buffer,
                Quantization = quantization[i],
                IsVariable = t.IsVariable,
            };
        }

        var codes = new List<OperatorCode>();
        var codeIndex = new Dictionary<OperatorCode, int>();
        var operators = new Operator[graph.Nodes.Length];
        for (int n = 0; n < operators.Length; n++)
        {
            OpNode node = graph.Nodes[n];
            var code = new OperatorCode(node.OpCode, node.IsCustom ? node.CustomCode ?? CustomCodeOf(node) : null, node.Version);
            if (!codeIndex.TryGetValue(code, out int index))
            {
                index = codes.Count;
                codes.Add(code);
                codeIndex.Add(code, index);
            }
            operators[n] = ToOperator(graph, node, (uint)index);
        }

        var metadata = new List<MetadataEntry>();
        if (made == ConstantData.None)
        {
            metadata.Add(new MetadataEntry(WeightlessModel.WeightsEntry, (uint)buffers.Count));
            buffers.Add(new TfliteBuffer(System.Text.Encoding.ASCII.GetBytes(WeightlessModel.Marker), 0, 0));
            metadata.Add(new MetadataEntry(WeightlessModel.FileBytesEntry, (uint)buffers.Count));
            buffers.Add(new TfliteBuffer(System.Text.Encoding.ASCII.GetBytes(
                withWeightsBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, 0));
        }
        string[] inputNames = [.. graph.Inputs.Select(id => graph.Tensors[id].Name)];
        string[] outputNames = [.. graph.Outputs.Select(id => graph.Tensors[id].Name)];
        return new TfliteModel
        {
            Bytes = ReadOnlyMemory<byte>.Empty,
            SourceName = graph.Name,
            Version = TfliteWriter.SchemaVersion,
            Description = made == ConstantData.None ? $"PerfSage GraphExporter: {graph.Name}, seed {seed}, weights none"
                : $"PerfSage GraphExporter: {graph.Name}, seed {seed}",
            OperatorCodes = codes,
            Subgraphs =
            [
                new Subgraph
                {
                    Name = graph.SubgraphName,
                    Tensors = tensors,
                    Operators = operators,
                    Inputs = [.. graph.Inputs],
                    Outputs = [.. graph.Outputs],
                },
            ],
            Buffers = buffers,
            SignatureDefs =
            [
                new SignatureDef("serving_default", 0,
                    [.. graph.Inputs.Select((id, k) => new SignatureTensor(inputNames[k], (uint)id))],
                    [.. graph.Outputs.Select((id, k) => new SignatureTensor(outputNames[k], (uint)id))]),
            ],
            Metadata = metadata,
        };
    }

    /// <summary>The <c>.tflite</c> bytes of <paramref name="graph"/>: <see cref="TfliteWriter.Write"/> of
    /// <see cref="ToModel(OpGraph, int)"/>. Deterministic: the same graph and seed give the same bytes.</summary>
    public static byte[] Write(OpGraph graph, int seed) => TfliteWriter.Write(ToModel(graph, seed));

    private static Operator ToOperator(OpGraph graph, OpNode node, uint opcodeIndex)
    {
        OperatorOptions? options = node.Attributes.Options;
        BuiltinOptionsType tag = BuiltinOptionsType.None;
        if (options is ControlFlowOptions or StableHloCompositeOptions)
        {
            throw new OpGraphException(
                $"{graph.Name}: operators[{node.Index}] ({node.TypeName}) runs other subgraphs; only the graph's own subgraph is written");
        }
        if (options is not null)
        {
            tag = node.IsCustom || node.IsUnknown ? BuiltinOptionsType.None : BuiltinOptionsTags.ForOperator(node.Builtin);
            if (tag == BuiltinOptionsType.None || !BuiltinOptionsTags.Fits(tag, options))
            {
                throw new OpGraphException(
                    $"{graph.Name}: operators[{node.Index}] ({node.TypeName}) has {options.GetType().Name}, which is not the options table of that operator");
            }
        }
        return new Operator
        {
            OpcodeIndex = opcodeIndex,
            Inputs = [.. node.Inputs],
            Outputs = [.. node.Outputs],
            Intermediates = [.. node.Intermediates],
            OptionsType = tag,
            Options = options,
        };
    }

    private static void CheckTensor(OpGraph graph, GraphTensor t)
    {
        if (t.IsSparse)
        {
            throw new OpGraphException($"{graph.Name}: tensor {t.Id} ('{t.Name}') is sparse; sparse tensors cannot be written");
        }
        if (t.HasDynamicShape && t.Rank == 0)
        {
            throw new OpGraphException($"{graph.Name}: tensor {t.Id} ('{t.Name}') is a scalar marked dynamic; no shape signature can say so");
        }
    }

    /// <summary>The graph keeps only that some dimension of the tensor was dynamic (resolved to 1 in
    /// <see cref="GraphTensor.Shape"/>), not which: the signature marks the first (the batch, which is what
    /// converters leave dynamic), so the tensor reads back dynamic with the same static shape.</summary>
    private static int[] DynamicSignature(GraphTensor t)
    {
        int[] signature = [.. t.Shape];
        signature[0] = -1;
        return signature;
    }

    /// <summary>The custom code from a <c>CUSTOM:name</c> type name.</summary>
    private static string CustomCodeOf(OpNode node) =>
        node.TypeName.StartsWith("CUSTOM:", StringComparison.Ordinal) ? node.TypeName["CUSTOM:".Length..] : node.TypeName;
}
