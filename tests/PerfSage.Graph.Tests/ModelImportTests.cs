using System.Runtime.InteropServices;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary>Graphs built from hand-made <see cref="TfliteModel"/> objects (no reader involved).</summary>
public class ModelImportTests
{
    private const int FilterOffset = 16;
    private const int BiasOffset = 48;

    /// <summary>
    /// Subgraph 0: CONV_2D (1×1, 2→3 channels, float32) → CUSTOM:my_op → an op with code 400 (newer than the
    /// schema) whose second input is omitted. Subgraph 1: one ADD over two tensors.
    /// Buffer 1 (filter, 24 bytes) and buffer 2 (bias, 12 bytes) are slices of the file bytes.
    /// </summary>
    private static TfliteModel HandModel(out byte[] bytes)
    {
        bytes = new byte[96];
        var file = new ReadOnlyMemory<byte>(bytes);
        var buffers = new List<TfliteBuffer>
        {
            new(ReadOnlyMemory<byte>.Empty, 0, 0),
            new(file.Slice(FilterOffset, 24), 0, 0),
            new(file.Slice(BiasOffset, 12), 0, 0),
            new(ReadOnlyMemory<byte>.Empty, 0, 0),
        };
        var perChannel = new QuantizationParameters([0.5f, 0.25f, 0.125f], [0, 0, 0], 0, [], []);
        var tensors = new List<Tensor>
        {
            new() { Name = "input", Shape = [1, 4, 4, 2], ShapeSignature = [-1, 4, 4, 2], Type = TensorType.Float32, Buffer = 0 },
            new() { Name = "filter", Shape = [3, 1, 1, 2], Type = TensorType.Float32, Buffer = 1, Quantization = perChannel },
            new() { Name = "bias", Shape = [3], Type = TensorType.Float32, Buffer = 2 },
            new() { Name = "conv", Shape = [1, 4, 4, 3], Type = TensorType.Float32, Buffer = 3 },
            new() { Name = "custom", Shape = [1, -1, 4, 3], Type = TensorType.Float32, Buffer = 0 },
            new() { Name = "future", Shape = [1, 4, 4, 3], Type = TensorType.Float32, Buffer = 0 },
            new() { Name = "unused", Shape = [7], Type = TensorType.Int8, Buffer = 0 },
        };
        var ops = new List<Operator>
        {
            new()
            {
                OpcodeIndex = 0, Inputs = [0, 1, 2], Outputs = [3],
                OptionsType = BuiltinOptionsType.Conv2DOptions,
                Options = new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu6, 1, 1),
            },
            new() { OpcodeIndex = 1, Inputs = [3], Outputs = [4] },
            new() { OpcodeIndex = 2, Inputs = [4, -1], Outputs = [5] },
        };
        var sub0 = new Subgraph { Name = "main", Tensors = tensors, Operators = ops, Inputs = [0], Outputs = [5] };
        var sub1 = new Subgraph
        {
            Name = "other",
            Tensors =
            [
                new() { Name = "a", Shape = [2], Type = TensorType.Float32, Buffer = 0 },
                new() { Name = "b", Shape = [2], Type = TensorType.Float32, Buffer = 0 },
            ],
            Operators = [new() { OpcodeIndex = 3, Inputs = [0, 0], Outputs = [1] }],
            Inputs = [0],
            Outputs = [1],
        };
        return new TfliteModel
        {
            Bytes = file,
            SourceName = "hand.tflite",
            Version = 3,
            OperatorCodes =
            [
                new OperatorCode((int)BuiltinOperator.CONV_2D, null, 1),
                new OperatorCode((int)BuiltinOperator.CUSTOM, "my_op", 1),
                new OperatorCode(400, null, 2),
                new OperatorCode((int)BuiltinOperator.ADD, null, 1),
            ],
            Subgraphs = [sub0, sub1],
            Buffers = buffers,
            SignatureDefs = [],
            Metadata = [],
        };
    }

    [Fact]
    public void Main_subgraph_becomes_nodes_with_model_totals()
    {
        TfliteModel model = HandModel(out byte[] bytes);
        OpGraph g = OpGraph.FromModel(model);
        Assert.Equal("hand.tflite", g.Name);
        Assert.Equal("main", g.SubgraphName);
        Assert.Equal(3, g.Nodes.Length);
        Assert.Equal(7, g.Tensors.Length);
        Assert.Equal(2, g.SubgraphCount);
        Assert.Equal(7 + 2, g.TotalTensorCount);
        Assert.Equal(3 + 1, g.TotalOperatorCount);
        Assert.Equal(bytes.Length, g.FileBytes);
        Assert.Equal([0], g.Inputs.ToArray());
        Assert.Equal([5], g.Outputs.ToArray());
    }

    [Fact]
    public void Conv_cost_and_attributes_come_from_shapes_and_options()
    {
        OpGraph g = OpGraph.FromModel(HandModel(out _));
        OpNode conv = g.Nodes[0];
        Assert.Equal(1L * 4 * 4 * 3 * 1 * 1 * 2, conv.Cost.Macs);
        Assert.Equal(3 * 2 * 4, conv.Cost.WeightBytes);
        Assert.Equal(3 * 4, conv.Cost.BiasBytes);
        Assert.Equal(6 + 3, conv.Cost.Parameters);
        Assert.Equal(OpPadding.Valid, conv.Attributes.Padding);
        Assert.Equal(ActivationFunctionType.Relu6, conv.Attributes.FusedActivation);
        Assert.IsType<Conv2DOptions>(conv.Attributes.Options);
        Assert.Equal(1, conv.Version);
    }

    [Fact]
    public void Custom_and_unknown_ops_are_flagged_and_counted()
    {
        OpGraph g = OpGraph.FromModel(HandModel(out _));
        OpNode custom = g.Nodes[1], future = g.Nodes[2];
        Assert.Equal("CUSTOM:my_op", custom.TypeName);
        Assert.True(custom.IsCustom);
        Assert.Equal("my_op", custom.CustomCode);
        Assert.Null(g.Nodes[0].CustomCode);
        Assert.False(custom.IsSupported);
        Assert.Equal("Unknown(400)", future.TypeName);
        Assert.True(future.IsUnknown);
        Assert.False(future.IsSupported);
        Assert.Equal(400, future.OpCode);
        Assert.Equal(2, future.Version);
        Assert.Equal([4, -1], future.Inputs.ToArray());
        Assert.Equal([InputRole.Activation, InputRole.Omitted], future.InputRoles.ToArray());
        Assert.Equal(0, future.Cost.Macs);
        // Reads "custom" [1,-1→1,4,3] float32, writes "future" [1,4,4,3] float32.
        Assert.Equal(1 * 1 * 4 * 3 * 4, future.Cost.ActivationBytesRead);
        Assert.Equal(1 * 4 * 4 * 3 * 4, future.Cost.ActivationBytesWritten);
        Assert.Equal(1, g.UnknownOpCount);
        Assert.Equal(1, g.CustomOpCount);
        Assert.Equal(2, g.UnsupportedOpCount);
        Assert.Equal(1, g.OpCounts["CONV_2D"]);
        Assert.Equal(1, g.OpCounts["Unknown(400)"]);
    }

    [Fact]
    public void Constants_are_slices_of_the_file_not_copies()
    {
        TfliteModel model = HandModel(out byte[] bytes);
        OpGraph g = OpGraph.FromModel(model);
        GraphTensor filter = g.Tensors[1];
        Assert.True(filter.IsConstant);
        Assert.True(MemoryMarshal.TryGetArray(filter.Data, out ArraySegment<byte> segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(FilterOffset, segment.Offset);
        Assert.Equal(24, segment.Count);
        // Buffer 3 exists but is empty: not a constant.
        Assert.False(g.Tensors[3].IsConstant);
        Assert.True(g.Tensors[3].Data.IsEmpty);
    }

    [Fact]
    public void Dynamic_dimensions_resolve_to_one_and_are_flagged()
    {
        OpGraph g = OpGraph.FromModel(HandModel(out _));
        Assert.True(g.Tensors[0].HasDynamicShape);             // from shape_signature
        Assert.Equal([1, 4, 4, 2], g.Tensors[0].Shape.ToArray());
        Assert.True(g.Tensors[4].HasDynamicShape);             // -1 in the shape itself
        Assert.Equal([1, 1, 4, 3], g.Tensors[4].Shape.ToArray());
        Assert.Equal(12, g.Tensors[4].ElementCount);
        Assert.False(g.Tensors[3].HasDynamicShape);
        Assert.True(g.HasDynamicShape);
    }

    [Fact]
    public void Quantization_is_summarised()
    {
        OpGraph g = OpGraph.FromModel(HandModel(out _));
        QuantizationSummary q = g.Tensors[1].Quantization!;
        Assert.Equal(3, q.ScaleCount);
        Assert.True(q.IsPerChannel);
        Assert.Equal(0.5f, q.Scale);
        Assert.Equal(0, q.ZeroPoint);
        Assert.Null(g.Tensors[0].Quantization);
    }

    [Fact]
    public void Unused_tensors_have_no_links()
    {
        OpGraph g = OpGraph.FromModel(HandModel(out _));
        GraphTensor unused = g.Tensors[6];
        Assert.Equal(-1, unused.Producer);
        Assert.Empty(unused.Consumers);
        Assert.False(unused.IsGraphInput);
        Assert.False(unused.IsGraphOutput);
    }

    [Fact]
    public void Second_subgraph_can_be_chosen_and_repeated_inputs_consume_once()
    {
        OpGraph g = OpGraph.FromModel(HandModel(out _), subgraph: 1);
        Assert.Equal(1, g.SubgraphIndex);
        Assert.Equal("ADD", g.Nodes[0].TypeName);
        Assert.Equal([0], g.Tensors[0].Consumers.ToArray());
        // ADD(a, a) reads a twice.
        Assert.Equal(2 * 2 * 4, g.Nodes[0].Cost.ActivationBytesRead);
        Assert.Equal(2, g.Nodes[0].Cost.ElementOps);
    }

    [Fact]
    public void Bad_references_fail_with_the_place_named()
    {
        TfliteModel good = HandModel(out _);
        Subgraph s = good.Subgraphs[0];
        var badOps = new List<Operator>(s.Operators)
        {
            [1] = new() { OpcodeIndex = 1, Inputs = [3, 42], Outputs = [4] },
        };
        TfliteModel bad = Replace(good, new Subgraph
        {
            Name = s.Name, Tensors = s.Tensors, Operators = badOps, Inputs = s.Inputs, Outputs = s.Outputs,
        });
        var e = Assert.Throws<OpGraphException>(() => OpGraph.FromModel(bad));
        Assert.Contains("operators[1].inputs[1]", e.Message, StringComparison.Ordinal);

        var badCode = new List<Operator>(s.Operators) { [0] = new() { OpcodeIndex = 9, Inputs = [0], Outputs = [3] } };
        TfliteModel bad2 = Replace(good, new Subgraph
        {
            Name = s.Name, Tensors = s.Tensors, Operators = badCode, Inputs = s.Inputs, Outputs = s.Outputs,
        });
        e = Assert.Throws<OpGraphException>(() => OpGraph.FromModel(bad2));
        Assert.Contains("operators[0].opcode_index", e.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => OpGraph.FromModel(good, subgraph: 2));
    }

    [Fact]
    public void A_model_without_subgraphs_is_refused()
    {
        TfliteModel good = HandModel(out _);
        var empty = new TfliteModel
        {
            Bytes = good.Bytes, SourceName = "empty.tflite", Version = 3, OperatorCodes = [], Subgraphs = [],
            Buffers = [], SignatureDefs = [], Metadata = [],
        };
        var e = Assert.Throws<OpGraphException>(() => OpGraph.FromModel(empty));
        Assert.Contains("empty.tflite", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv_with_a_filter_of_the_wrong_rank_is_flagged_not_costed()
    {
        TfliteModel good = HandModel(out _);
        Subgraph s = good.Subgraphs[0];
        var tensors = new List<Tensor>(s.Tensors)
        {
            [1] = new() { Name = "filter", Shape = [6], Type = TensorType.Float32, Buffer = 1 },
        };
        TfliteModel bad = Replace(good, new Subgraph
        {
            Name = s.Name, Tensors = tensors, Operators = s.Operators, Inputs = s.Inputs, Outputs = s.Outputs,
        });
        OpGraph g = OpGraph.FromModel(bad);
        OpNode conv = g.Nodes[0];
        Assert.False(conv.IsSupported);
        Assert.Equal("filter tensor 1 has rank 1, expected 4", conv.UnsupportedReason);
        Assert.Equal(0, conv.Cost.Macs);
        Assert.Equal(6 * 4, conv.Cost.WeightBytes);   // bytes are still counted
        Assert.Equal(3, g.UnsupportedOpCount);
        Assert.Equal("custom operator", g.Nodes[1].UnsupportedReason);
        Assert.Null(OpGraph.FromModel(good).Nodes[0].UnsupportedReason);
    }

    private static TfliteModel Replace(TfliteModel m, Subgraph first) => new()
    {
        Bytes = m.Bytes,
        SourceName = m.SourceName,
        Version = m.Version,
        OperatorCodes = m.OperatorCodes,
        Subgraphs = [first, m.Subgraphs[1]],
        Buffers = m.Buffers,
        SignatureDefs = m.SignatureDefs,
        Metadata = m.Metadata,
    };
}
