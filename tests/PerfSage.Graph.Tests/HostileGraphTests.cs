using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary>
/// Issue #11: graphs TFLite cannot run and shapes whose sizes used to wrap. Each model is a hand-made
/// <see cref="TfliteModel"/> (the graph layer's own checks, without the reader in front); each refusal is an
/// <see cref="OpGraphException"/> naming the file and the place.
/// </summary>
public class HostileGraphTests
{
    private const string File = "hostile.tflite";

    private static Tensor F32(string name, int[] shape, uint buffer = 0) =>
        new() { Name = name, Shape = shape, Type = TensorType.Float32, Buffer = buffer };

    private static Operator Add(int[] inputs, int[] outputs) => new()
    {
        OpcodeIndex = 0, Inputs = inputs, Outputs = outputs, OptionsType = BuiltinOptionsType.AddOptions,
        Options = new ArithmeticOptions(ActivationFunctionType.None),
    };

    private static TfliteModel Model(Tensor[] tensors, Operator[] ops, int[] inputs, int[] outputs,
        TfliteBuffer[]? buffers = null, OperatorCode? code = null) => new()
    {
        Bytes = new byte[64],
        SourceName = File,
        Version = 3,
        OperatorCodes = [code ?? new OperatorCode((int)BuiltinOperator.ADD, null, 1)],
        Subgraphs = [new Subgraph { Name = "main", Tensors = tensors, Operators = ops, Inputs = inputs, Outputs = outputs }],
        Buffers = buffers ?? [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0)],
        SignatureDefs = [],
        Metadata = [],
    };

    private static string Refusal(TfliteModel model) =>
        Assert.Throws<OpGraphException>(() => OpGraph.FromModel(model)).Message;

    // ---- operator order and writes -------------------------------------------------------

    [Fact]
    public void An_operator_reading_its_own_output_is_refused()
    {
        TfliteModel model = Model([F32("x", [1, 4]), F32("y", [1, 4])], [Add([0, 1], [1])], [0], [1]);
        Assert.Equal($"{File}: subgraphs[0].operators[0].inputs[1]: reads tensor 1 ('y'), which the operator itself " +
            "writes; TFLite runs operators in order, so the graph cannot run", Refusal(model));
    }

    [Fact]
    public void A_two_operator_cycle_is_refused_at_the_first_read_of_a_later_output()
    {
        // op0: y = x + z; op1: z = y + x. op0 reads z before op1 writes it.
        TfliteModel model = Model([F32("x", [1, 4]), F32("y", [1, 4]), F32("z", [1, 4])],
            [Add([0, 2], [1]), Add([1, 0], [2])], [0], [2]);
        Assert.Equal($"{File}: subgraphs[0].operators[0].inputs[1]: reads tensor 2 ('z'), which the later operators[1] " +
            "writes; TFLite runs operators in order, so the graph cannot run", Refusal(model));
    }

    [Fact]
    public void A_tensor_written_by_two_operators_is_refused()
    {
        TfliteModel model = Model([F32("x", [1, 4]), F32("y", [1, 4])], [Add([0, 0], [1]), Add([0, 0], [1])], [0], [1]);
        Assert.Equal($"{File}: subgraphs[0].operators[1].outputs[0]: tensor 1 ('y') is written by operators[0] and operators[1]",
            Refusal(model));
    }

    [Fact]
    public void An_operator_writing_a_constant_is_refused()
    {
        var data = new byte[16];
        TfliteModel model = Model([F32("x", [1, 4]), F32("w", [1, 4], buffer: 1)], [Add([0, 0], [1])], [0], [1],
            [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0), new TfliteBuffer(data, 0, 0)]);
        Assert.Equal($"{File}: subgraphs[0].operators[0].outputs[0]: writes tensor 1 ('w'), a constant; " +
            "a constant's data are read-only", Refusal(model));
    }

    [Fact]
    public void An_operator_updating_a_graph_input_in_place_is_accepted_as_TFLite_runs_it()
    {
        // The shape of TFLite's own add_shared_tensors.bin: ADD(input, input) → input, then ADD(input, input) → out.
        TfliteModel model = Model([F32("input", [1, 4]), F32("out", [1, 4])],
            [Add([0, 0], [0]), Add([0, 0], [1])], [0], [1]);
        OpGraph g = OpGraph.FromModel(model);
        Assert.Equal(0, g.Tensors[0].Producer);
        Assert.True(g.Tensors[0].IsGraphInput);
        Assert.Equal([0, 1], g.Tensors[0].Consumers.ToArray());
    }

    [Fact]
    public void A_variable_read_before_it_is_written_is_accepted()
    {
        TfliteModel model = Model([F32("x", [1, 4]), new Tensor
        {
            Name = "state", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0, IsVariable = true,
        }, F32("y", [1, 4])], [Add([0, 1], [2]), Add([2, 0], [1])], [0], [2]);
        OpGraph g = OpGraph.FromModel(model);
        Assert.Equal(1, g.Tensors[1].Producer);
        Assert.Equal([0], g.Tensors[1].Consumers.ToArray());
    }

    // ---- constants -------------------------------------------------------------------------

    [Fact]
    public void A_constant_shorter_than_its_shape_is_refused()
    {
        var data = new byte[12]; // float32[1,4] needs 16
        TfliteModel model = Model([F32("x", [1, 4]), F32("w", [1, 4], buffer: 1), F32("y", [1, 4])], [Add([0, 1], [2])], [0], [2],
            [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0), new TfliteBuffer(data, 0, 0)]);
        Assert.Equal($"{File}: subgraphs[0].tensors[1] ('w'): its buffer 1 holds 12 bytes, fewer than the 16 bytes of a " +
            "float32[1,4] constant", Refusal(model));
    }

    [Fact]
    public void A_constant_longer_than_its_shape_and_an_empty_buffer_are_accepted()
    {
        var data = new byte[20];
        TfliteModel model = Model([F32("x", [1, 4]), F32("w", [1, 4], buffer: 1), F32("y", [1, 4])], [Add([0, 1], [2])], [0], [2],
            [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0), new TfliteBuffer(data, 0, 0)]);
        OpGraph g = OpGraph.FromModel(model);
        Assert.True(g.Tensors[1].IsConstant);
        Assert.Equal(16, g.Tensors[1].SizeBytes);
        Assert.False(g.Tensors[0].IsConstant); // buffer 0: no data, not a constant
    }

    // ---- sizes -----------------------------------------------------------------------------

    [Fact]
    public void A_tensor_of_int_max_elements_has_exact_64_bit_sizes()
    {
        TfliteModel model = Model([F32("x", [int.MaxValue]), F32("y", [int.MaxValue])], [Add([0, 0], [1])], [0], [1]);
        OpGraph g = OpGraph.FromModel(model);
        Assert.Equal(2_147_483_647L, g.Tensors[0].ElementCount);
        Assert.Equal(8_589_934_588L, g.Tensors[0].SizeBytes); // 4 · (2^31 − 1)
        Assert.Equal(2_147_483_647L, g.Nodes[0].Cost.ElementOps);
        Assert.Equal(2 * 8_589_934_588L, g.Nodes[0].Cost.ActivationBytesRead);
    }

    [Fact]
    public void A_shape_whose_64_bit_product_wraps_to_zero_is_refused()
    {
        int[] huge = [65536, 65536, 65536, 65536, 65536, 65536];
        TfliteModel model = Model([F32("x", huge), F32("y", [1])], [Add([0, 0], [1])], [0], [1]);
        Assert.Equal($"{File}: subgraphs[0].tensors[0]: tensor 0 ('x'): shape [65536,65536,65536,65536,65536,65536] " +
            "has more than 2,147,483,647 elements, more than a TFLite runtime can index (32-bit sizes)", Refusal(model));
    }

    [Fact]
    public void A_pooling_window_whose_work_passes_64_bits_is_refused_naming_the_operator()
    {
        // 2^30 output elements · 2^31−1 · 2^31−1 window taps ≈ 2^92.
        TfliteModel model = Model([F32("x", [1, 32768, 32768, 1]), F32("y", [1, 32768, 32768, 1])],
            [new Operator
            {
                OpcodeIndex = 0, Inputs = [0], Outputs = [1], OptionsType = BuiltinOptionsType.Pool2DOptions,
                Options = new Pool2DOptions(Padding.Same, 1, 1, int.MaxValue, int.MaxValue, ActivationFunctionType.None),
            }],
            [0], [1], code: new OperatorCode((int)BuiltinOperator.MAX_POOL_2D, null, 1));
        Assert.Equal($"{File}: subgraphs[0].operators[0] (MAX_POOL_2D): its work or bytes do not fit in 64 bits; " +
            "the shapes cannot be real", Refusal(model));
    }

    [Fact]
    public void The_builder_refuses_a_shape_past_the_bound()
    {
        var b = new OpGraphBuilder("built");
        OpGraphException e = Assert.Throws<OpGraphException>(() => b.AddInput([65536, 65536], TensorType.Int8));
        Assert.Equal("built: tensor 'input_0': shape [65536,65536] has more than 2,147,483,647 elements, " +
            "more than a TFLite runtime can index (32-bit sizes)", e.Message);
    }
}
