using System.Buffers.Binary;
using System.Text;
using Google.FlatBuffers;

namespace PerfSage.Tflite.Tests;

/// <summary>
/// One hand-made model per validation rule, written with the FlatBuffers runtime (<see cref="TestModelBuilder"/>).
/// Each rejection asserts the field path and the byte offset that the message must name.
/// </summary>
public sealed class FixtureTests
{
    private static TfliteModel Parse(byte[] bytes) => TfliteReader.Parse(bytes, "fixture");

    private static TfliteFormatException Reject(byte[] bytes) =>
        Assert.Throws<TfliteFormatException>(() => TfliteReader.Parse(bytes, "fixture"));

    private static int Find(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, "marker not found in the fixture");
        Assert.True(haystack.AsSpan(at + 1).IndexOf(needle) < 0, "marker found twice in the fixture");
        return at;
    }

    private static byte[] Ints(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return bytes;
    }

    private static TestModelBuilder WithOperator(OperatorSpec op, OpCodeSpec? code = null)
    {
        var builder = new TestModelBuilder();
        if (code is not null)
        {
            builder.OperatorCodes[0] = code;
        }
        SubgraphSpec main = builder.Subgraphs[0];
        builder.Subgraphs[0] = main with { Operators = [op] };
        return builder;
    }

    // ---- the default fixture ------------------------------------------------------------

    [Fact]
    public void Default_fixture_reads_back_what_was_written()
    {
        TfliteModel model = Parse(new TestModelBuilder().Build());
        Assert.Equal(3u, model.Version);
        Assert.Equal("hand-made", model.Description);
        Assert.Equal("ADD", Assert.Single(model.OperatorCodes).Name);
        Assert.Equal(1, model.OperatorCodes[0].Version); // absent: the schema default
        Subgraph graph = Assert.Single(model.Subgraphs);
        Assert.Equal("main", graph.Name);
        Assert.Equal(["a", "b", "sum"], graph.Tensors.Select(t => t.Name));
        Assert.All(graph.Tensors, t => Assert.Equal(new[] { 1, 4 }, t.Shape));
        Assert.Equal([0u, 1u, 0u], graph.Tensors.Select(t => t.Buffer));
        Assert.Equal([0], graph.Inputs);
        Assert.Equal([2], graph.Outputs);
        Operator add = Assert.Single(graph.Operators);
        Assert.Equal([0, 1], add.Inputs);
        Assert.Equal([2], add.Outputs);
        Assert.Empty(add.Intermediates);
        Assert.Null(add.Options);
        Assert.False(add.HasCustomOptions);
        Assert.Equal(2, model.Buffers.Count);
        Assert.Equal(0, model.Buffers[0].Data.Length);
        Assert.Equal(16, model.GetBufferData(1).Length);
        Assert.Empty(ModelInvariants.Violations(model));
    }

    // ---- vectors and strings -----------------------------------------------------------------

    [Fact]
    public void A_string_length_past_the_end_is_rejected_naming_the_field()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[0] = new TensorSpec([1, 4], "NAME_MARKER_1");
        byte[] bytes = builder.Build();
        int lengthAt = Find(bytes, "NAME_MARKER_1"u8) - 4;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(lengthAt), 0x7FFF_FFF0);

        TfliteFormatException e = Reject(bytes);
        Assert.Equal("subgraphs[0].tensors[0].name", e.FieldPath);
        Assert.Equal(lengthAt, e.ByteOffset);
        Assert.Contains("runs past the end", e.Reason, StringComparison.Ordinal);
        Assert.Contains("fixture", e.Message, StringComparison.Ordinal);
        Assert.Contains($"byte offset {lengthAt}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vector_length_of_2_pow_31_is_rejected_before_anything_is_allocated()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[1] = new TensorSpec([1234567, 7654321], "b", Buffer: 1);
        byte[] bytes = builder.Build();
        int lengthAt = Find(bytes, Ints(1234567, 7654321)) - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(lengthAt), 0x8000_0000u);

        Parse(new TestModelBuilder().Build()); // warm up so the measurement below is the parse alone
        long before = GC.GetAllocatedBytesForCurrentThread();
        TfliteFormatException e = Reject(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("subgraphs[0].tensors[1].shape", e.FieldPath);
        Assert.Equal(lengthAt, e.ByteOffset);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes rejecting a {bytes.Length}-byte file");
    }

    [Fact]
    public void A_string_without_its_NUL_terminator_is_rejected()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[0] = new TensorSpec([1, 4], "NAME_MARKER_2");
        byte[] bytes = builder.Build();
        int at = Find(bytes, "NAME_MARKER_2"u8);
        bytes[at + "NAME_MARKER_2".Length] = (byte)'!';

        TfliteFormatException e = Reject(bytes);
        Assert.Equal("subgraphs[0].tensors[0].name", e.FieldPath);
        Assert.Contains("NUL", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_that_is_not_UTF8_is_rejected()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[2] = new TensorSpec([1, 4], "NAME_MARKER_3");
        byte[] bytes = builder.Build();
        int at = Find(bytes, "NAME_MARKER_3"u8);
        bytes[at + 4] = 0xC3; // a lead byte followed by "MA": not a continuation
        bytes[at + 5] = 0x28;

        TfliteFormatException e = Reject(bytes);
        Assert.Equal("subgraphs[0].tensors[2].name", e.FieldPath);
        Assert.Contains("UTF-8", e.Reason, StringComparison.Ordinal);
    }

    // ---- header, root, tables -------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    public void Inputs_shorter_than_a_header_are_rejected(int length)
    {
        TfliteFormatException e = Reject(new TestModelBuilder().Build()[..length]);
        Assert.Equal("<header>", e.FieldPath);
    }

    [Fact]
    public void A_wrong_file_identifier_is_rejected_at_byte_4()
    {
        TfliteFormatException e = Reject(new TestModelBuilder { FileIdentifier = "TFL2" }.Build());
        Assert.Equal("<file_identifier>", e.FieldPath);
        Assert.Equal(4, e.ByteOffset);
        Assert.Equal("no \"TFL3\" file identifier at bytes 4..8: not a TFLite model", e.Reason);
        Assert.DoesNotContain("TFL2", e.Message, StringComparison.Ordinal); // the bytes found are never quoted
    }

    [Fact]
    public void A_text_file_is_not_a_model_and_none_of_its_bytes_is_quoted()
    {
        TfliteFormatException e = Reject("root:x:0:0:root:/root:/bin/bash\n"u8.ToArray());
        Assert.Equal("<file_identifier>", e.FieldPath);
        Assert.DoesNotContain(":x:0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flatbuffer_without_file_identifier_is_rejected()
    {
        // No real model lacks the identifier (all 332 of the inventory carry TFL3), so none is guessed at.
        TfliteFormatException e = Reject(new TestModelBuilder { FileIdentifier = null }.Build());
        Assert.Equal("<file_identifier>", e.FieldPath);
    }

    [Theory]
    [InlineData(0u, "offset is 0")]
    [InlineData(0xFFFF_FFFFu, "past the end")]
    [InlineData(2u, "not 4-byte aligned")]
    public void A_bad_root_offset_is_rejected(uint rootOffset, string reason)
    {
        byte[] bytes = new TestModelBuilder().Build();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, rootOffset);
        TfliteFormatException e = Reject(bytes);
        Assert.Equal("<root>", e.FieldPath);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vtable_outside_the_file_is_rejected()
    {
        byte[] bytes = new TestModelBuilder().Build();
        int root = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(root), int.MinValue);
        TfliteFormatException e = Reject(bytes);
        Assert.Equal("<root>", e.FieldPath);
        Assert.Equal(root, e.ByteOffset);
        Assert.Contains("vtable", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_offset_outside_its_table_is_rejected()
    {
        byte[] bytes = new TestModelBuilder().Build();
        int root = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        int vtable = root - BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(root));
        int versionSlot = vtable + 4; // field 0 of Model: version
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(versionSlot), 0xFFF0);
        TfliteFormatException e = Reject(bytes);
        Assert.Equal("version", e.FieldPath);
        Assert.Equal(versionSlot, e.ByteOffset);
        Assert.Contains("outside the table", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u, false)]
    [InlineData(1u, false)]
    [InlineData(2u, true)] // declared by an old TOCO test file that uses the version 3 layout
    [InlineData(3u, true)]
    [InlineData(4u, false)]
    public void Only_schema_versions_2_and_3_are_read(uint version, bool accepted)
    {
        byte[] bytes = new TestModelBuilder { Version = version }.Build();
        if (accepted)
        {
            Assert.Equal(version, Parse(bytes).Version);
        }
        else
        {
            Assert.Equal("version", Reject(bytes).FieldPath);
        }
    }

    // ---- operator codes ----------------------------------------------------------------------

    [Theory]
    [InlineData((sbyte)3, null, 3, "CONV_2D")]        // only the deprecated byte (old converters)
    [InlineData((sbyte)4, 0, 4, "DEPTHWISE_CONV_2D")] // builtin_code written as 0 (ADD): the byte wins
    [InlineData(null, 150, 150, "GELU")]               // only the int32 code
    [InlineData((sbyte)127, 150, 150, "GELU")]         // the placeholder byte and the real code
    [InlineData((sbyte)127, 500, 500, "Unknown(500)")] // a code from a newer schema
    [InlineData((sbyte)0, 0, 0, "ADD")]
    public void Operator_codes_resolve_to_the_larger_of_both_fields(sbyte? deprecated, int? builtin, int code, string name)
    {
        TfliteModel model = Parse(WithOperator(new OperatorSpec(0, [0, 1], [2]), new OpCodeSpec(deprecated, builtin)).Build());
        OperatorCode resolved = Assert.Single(model.OperatorCodes);
        Assert.Equal(code, resolved.Code);
        Assert.Equal(name, resolved.Name);
        Assert.Equal(code <= OperatorCode.MaxKnownCode, resolved.IsKnown);
    }

    [Fact]
    public void A_negative_operator_code_is_rejected()
    {
        TfliteFormatException e = Reject(WithOperator(new OperatorSpec(0, [0, 1], [2]), new OpCodeSpec(-5, -3)).Build());
        Assert.Equal("operator_codes[0].builtin_code", e.FieldPath);
    }

    [Fact]
    public void Custom_codes_need_a_name()
    {
        TfliteModel model = Parse(WithOperator(new OperatorSpec(0, [0, 1], [2]) { CustomOptions = [1, 2, 3] },
            new OpCodeSpec(32, 32, "my_op", 2)).Build());
        Assert.Equal("CUSTOM:my_op", model.OperatorCodes[0].Name);
        Assert.Equal(2, model.OperatorCodes[0].Version);
        Operator op = model.Subgraphs[0].Operators[0];
        Assert.True(op.HasCustomOptions);
        Assert.Equal(3, op.CustomOptionsLength);
        Assert.Equal(new byte[] { 1, 2, 3 }, op.CustomOptions.ToArray());

        TfliteFormatException e = Reject(WithOperator(new OperatorSpec(0, [0, 1], [2]), new OpCodeSpec(32, 32)).Build());
        Assert.Equal("operator_codes[0].custom_code", e.FieldPath);
    }

    [Fact]
    public void An_opcode_index_out_of_range_is_rejected()
    {
        TfliteFormatException e = Reject(WithOperator(new OperatorSpec(1, [0, 1], [2])).Build());
        Assert.Equal("subgraphs[0].operators[0].opcode_index", e.FieldPath);
        Assert.Contains("1 operator codes", e.Reason, StringComparison.Ordinal);
    }

    // ---- tensor indices --------------------------------------------------------------------

    [Fact]
    public void An_operator_input_out_of_range_names_the_input_and_its_byte()
    {
        byte[] bytes = WithOperator(new OperatorSpec(0, [7, 1], [2])).Build();
        TfliteFormatException e = Reject(bytes);
        Assert.Equal("subgraphs[0].operators[0].inputs[0]", e.FieldPath);
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)e.ByteOffset)));
        Assert.Contains("tensor index 7 out of range (the subgraph has 3 tensors)", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("fixture: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Minus_one_marks_an_omitted_input_and_nothing_else()
    {
        Assert.Equal([0, -1], Parse(WithOperator(new OperatorSpec(0, [0, -1], [2])).Build()).Subgraphs[0].Operators[0].Inputs);

        Assert.Equal("subgraphs[0].operators[0].inputs[1]",
            Reject(WithOperator(new OperatorSpec(0, [0, -2], [2])).Build()).FieldPath);
        Assert.Equal("subgraphs[0].operators[0].outputs[0]",
            Reject(WithOperator(new OperatorSpec(0, [0, 1], [-1])).Build()).FieldPath);
        Assert.Equal("subgraphs[0].operators[0].intermediates[1]",
            Reject(WithOperator(new OperatorSpec(0, [0, 1], [2]) { Intermediates = [0, 3] }).Build()).FieldPath);

        var builder = new TestModelBuilder();
        builder.Subgraphs[0] = builder.Subgraphs[0] with { Inputs = [-1] };
        Assert.Equal("subgraphs[0].inputs[0]", Reject(builder.Build()).FieldPath);
        builder.Subgraphs[0] = builder.Subgraphs[0] with { Inputs = [0], Outputs = [3] };
        Assert.Equal("subgraphs[0].outputs[0]", Reject(builder.Build()).FieldPath);
    }

    [Fact]
    public void A_tensor_buffer_index_out_of_range_is_rejected()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[2] = new TensorSpec([1, 4], "sum", Buffer: 2);
        TfliteFormatException e = Reject(builder.Build());
        Assert.Equal("subgraphs[0].tensors[2].buffer", e.FieldPath);
        Assert.Contains("2 buffers", e.Reason, StringComparison.Ordinal);
    }

    // ---- tensors ---------------------------------------------------------------------------------

    [Fact]
    public void A_tensor_type_from_a_newer_schema_is_kept_raw()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[0] = new TensorSpec([1, 4], "a", Type: 23);
        Tensor tensor = Parse(builder.Build()).Subgraphs[0].Tensors[0];
        Assert.Equal((TensorType)23, tensor.Type);
        Assert.False(tensor.HasKnownType);
        Assert.True(Parse(new TestModelBuilder().Build()).Subgraphs[0].Tensors[0].HasKnownType);
    }

    public static TheoryData<int[], int[]?, bool> Shapes => new()
    {
        { [1, -1, 3], [1, -1, 3], true },   // dynamic dimension, as the signature says
        { [1, 1, 3], [1, -1, 3], true },    // converters usually write 1 where the signature is dynamic
        { [-1], null, true },               // old LSTM files: [-1] for an absent weight, no signature
        { [1, 4], [], true },               // an empty signature says nothing (some exporters)
        { [1, -1], [1, 5], false },         // -1 where the signature gives a size
        { [1, 4], [1, 5], false },          // shape contradicts the signature
        { [-2], null, false },              // negative and not -1
        { [1, 4], [1, -2], false },         // signature dimension below -1
        { [1, 4], [1], false },             // signature of another rank
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Shape_dimensions_are_sizes_or_dynamic(int[] shape, int[]? signature, bool valid)
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[0] = new TensorSpec(shape, "a") { Signature = signature };
        byte[] bytes = builder.Build();
        if (valid)
        {
            Tensor tensor = Parse(bytes).Subgraphs[0].Tensors[0];
            Assert.Equal(shape, tensor.Shape);
            Assert.Equal(signature is { Length: > 0 } ? signature : null, tensor.ShapeSignature);
        }
        else
        {
            Assert.StartsWith("subgraphs[0].tensors[0].shape", Reject(bytes).FieldPath, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Quantization_reads_per_channel_scales_and_rejects_mismatched_zero_points()
    {
        var builder = new TestModelBuilder();
        builder.Subgraphs[0].Tensors[1] = new TensorSpec([2, 4], "w", (byte)TensorType.Int8, 1)
        {
            Scale = [0.5f, 0.25f], ZeroPoint = [3, -4], QuantizedDimension = 0,
        };
        QuantizationParameters q = Parse(builder.Build()).Subgraphs[0].Tensors[1].Quantization!;
        Assert.Equal([0.5f, 0.25f], q.Scale);
        Assert.Equal([3L, -4L], q.ZeroPoint);
        Assert.True(q.IsPerChannel);

        builder.Subgraphs[0].Tensors[1] = new TensorSpec([2, 4], "w", (byte)TensorType.Int8, 1) { Scale = [0.5f, 0.25f], ZeroPoint = [3] };
        Assert.Equal("subgraphs[0].tensors[1].quantization.zero_point", Reject(builder.Build()).FieldPath);

        // An empty table (written for float tensors) is no quantisation.
        builder.Subgraphs[0].Tensors[1] = new TensorSpec([2, 4], "w", Buffer: 1) { Scale = [], ZeroPoint = [] };
        Assert.Null(Parse(builder.Build()).Subgraphs[0].Tensors[1].Quantization);
    }

    // ---- options ---------------------------------------------------------------------------------

    private static int Conv2D(FlatBufferBuilder b, byte padding = 1, byte activation = 3, byte? boolLike = null)
    {
        b.StartTable(7);
        b.AddByte(0, padding, 0);
        b.AddInt(1, 2, 0);
        b.AddInt(2, 3, 0);
        b.AddByte(3, activation, 0);
        b.AddInt(4, 4, 1);
        b.AddInt(5, 5, 1);
        b.AddByte(6, boolLike ?? 9, 0);
        return b.EndTable();
    }

    [Fact]
    public void Conv2d_options_are_decoded_field_by_field()
    {
        var op = new OperatorSpec(0, [0, 1], [2]) { OptionsType = (byte)BuiltinOptionsType.Conv2DOptions, Options = b => Conv2D(b) };
        Operator conv = Parse(WithOperator(op, new OpCodeSpec(3, 3)).Build()).Subgraphs[0].Operators[0];
        Assert.Equal(BuiltinOptionsType.Conv2DOptions, conv.OptionsType);
        var expected = new Conv2DOptions(Padding.Valid, 2, 3, ActivationFunctionType.Relu6, 4, 5) { QuantizedBiasType = TensorType.Int8 };
        Assert.Equal(expected, conv.Options);
    }

    [Fact]
    public void Out_of_range_enum_values_in_options_are_rejected()
    {
        var padding = new OperatorSpec(0, [0, 1], [2]) { OptionsType = (byte)BuiltinOptionsType.Conv2DOptions, Options = b => Conv2D(b, padding: 7) };
        Assert.Equal("subgraphs[0].operators[0].builtin_options.padding", Reject(WithOperator(padding).Build()).FieldPath);

        var activation = new OperatorSpec(0, [0, 1], [2]) { OptionsType = (byte)BuiltinOptionsType.Conv2DOptions, Options = b => Conv2D(b, activation: 6) };
        Assert.Equal("subgraphs[0].operators[0].builtin_options.fused_activation_function",
            Reject(WithOperator(activation).Build()).FieldPath);
    }

    [Fact]
    public void A_bool_byte_other_than_0_or_1_is_rejected()
    {
        static int Reducer(FlatBufferBuilder b)
        {
            b.StartTable(1);
            b.AddByte(0, 2, 0); // keep_dims = 2
            return b.EndTable();
        }
        var op = new OperatorSpec(0, [0, 1], [2]) { OptionsType = (byte)BuiltinOptionsType.ReducerOptions, Options = Reducer };
        TfliteFormatException e = Reject(WithOperator(op).Build());
        Assert.Equal("subgraphs[0].operators[0].builtin_options.keep_dims", e.FieldPath);
    }

    [Fact]
    public void An_options_table_without_its_union_type_is_rejected()
    {
        var op = new OperatorSpec(0, [0, 1], [2]) { OptionsType = 0, Options = b => Conv2D(b) };
        Assert.Equal("subgraphs[0].operators[0].builtin_options", Reject(WithOperator(op).Build()).FieldPath);
    }

    [Fact]
    public void An_unknown_options_type_keeps_its_tag()
    {
        var op = new OperatorSpec(0, [0, 1], [2]) { OptionsType = 200, Options = b => Conv2D(b) };
        Operator read = Parse(WithOperator(op).Build()).Subgraphs[0].Operators[0];
        Assert.Equal((BuiltinOptionsType)200, read.OptionsType);
        Assert.Null(read.Options);
    }

    private static int While(FlatBufferBuilder b, int cond, int body)
    {
        b.StartTable(2);
        b.AddInt(0, cond, 0);
        b.AddInt(1, body, 0);
        return b.EndTable();
    }

    private static TestModelBuilder TwoSubgraphsWithWhile(int cond, int body)
    {
        var builder = WithOperator(new OperatorSpec(0, [0, 1], [2])
        {
            OptionsType = (byte)BuiltinOptionsType.WhileOptions,
            Options = b => While(b, cond, body),
        }, new OpCodeSpec(119, 119));
        builder.Subgraphs.Add(new SubgraphSpec([new TensorSpec([1], "x")], [0], [0], [], "body"));
        return builder;
    }

    [Fact]
    public void Control_flow_subgraph_indices_are_checked_against_the_subgraphs()
    {
        TfliteModel model = Parse(TwoSubgraphsWithWhile(1, 1).Build());
        Assert.Equal("WHILE", model.OperatorCodes[0].Name);
        Assert.Equal([1, 1], Assert.IsType<ControlFlowOptions>(model.Subgraphs[0].Operators[0].Options).SubgraphIndices);

        TfliteFormatException e = Reject(TwoSubgraphsWithWhile(1, 2).Build());
        Assert.Equal("subgraphs[0].operators[0].builtin_options.body_subgraph_index", e.FieldPath);
        Assert.Contains("2 subgraphs", e.Reason, StringComparison.Ordinal);
        Assert.Equal("subgraphs[0].operators[0].builtin_options.cond_subgraph_index",
            Reject(TwoSubgraphsWithWhile(-1, 1).Build()).FieldPath);
    }

    // ---- buffers, metadata, signatures -------------------------------------------------------

    [Fact]
    public void Buffer_data_stored_after_the_flatbuffer_is_a_slice_of_the_file()
    {
        byte[] payload = Enumerable.Range(1, 24).Select(i => (byte)i).ToArray();
        var builder = new TestModelBuilder { Trailer = payload };
        builder.Buffers[1] = new BufferSpec(Offset: 2, Size: 24); // placeholder of the same layout
        int offset = builder.FlatbufferLength();
        builder.Buffers[1] = new BufferSpec(Offset: (ulong)offset, Size: 24);
        byte[] bytes = builder.Build();

        TfliteBuffer buffer = Parse(bytes).Buffers[1];
        Assert.True(buffer.IsStoredOutside);
        Assert.Equal(payload, buffer.Data.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(buffer.Data, out ArraySegment<byte> slice));
        Assert.Same(bytes, slice.Array);
        Assert.Equal(offset, slice.Offset);

        builder.Buffers[1] = new BufferSpec(Offset: (ulong)offset, Size: 25);
        TfliteFormatException e = Reject(builder.Build());
        Assert.Equal("buffers[1].offset", e.FieldPath);
        Assert.Contains("outside the", e.Reason, StringComparison.Ordinal);

        builder.Buffers[1] = new BufferSpec(Data: [1, 2], Offset: (ulong)offset, Size: 24);
        Assert.Equal("buffers[1].offset", Reject(builder.Build()).FieldPath);

        builder.Buffers[1] = new BufferSpec(Offset: 0, Size: 24);
        Assert.Equal("buffers[1].size", Reject(builder.Build()).FieldPath);
    }

    [Fact]
    public void Metadata_names_a_buffer_that_exists()
    {
        var builder = new TestModelBuilder();
        builder.Metadata.Add(("min_runtime_version", 1));
        Assert.Equal(new MetadataEntry("min_runtime_version", 1), Assert.Single(Parse(builder.Build()).Metadata));

        builder.Metadata[0] = ("min_runtime_version", 2);
        Assert.Equal("metadata[0].buffer", Reject(builder.Build()).FieldPath);
    }

    [Fact]
    public void Signatures_name_a_subgraph_and_tensors_that_exist()
    {
        var builder = new TestModelBuilder();
        builder.Signatures.Add(new SignatureSpec("serving_default", 0, [("x", 0)], [("y", 2)]));
        SignatureDef signature = Assert.Single(Parse(builder.Build()).SignatureDefs);
        Assert.Equal("serving_default", signature.SignatureKey);
        Assert.Equal([new SignatureTensor("x", 0)], signature.Inputs);
        Assert.Equal([new SignatureTensor("y", 2)], signature.Outputs);

        builder.Signatures[0] = new SignatureSpec("serving_default", 1, [("x", 0)], [("y", 2)]);
        Assert.Equal("signature_defs[0].subgraph_index", Reject(builder.Build()).FieldPath);

        builder.Signatures[0] = new SignatureSpec("serving_default", 0, [("x", 0)], [("y", 3)]);
        Assert.Equal("signature_defs[0].outputs[0].tensor_index", Reject(builder.Build()).FieldPath);
    }

    // ---- bounded work -----------------------------------------------------------------------

    [Fact]
    public void Offsets_shared_many_times_cannot_expand_the_model_beyond_the_file()
    {
        // 20,000 tensor offsets all point at one tensor whose shape has 60,000 dims: a 320 kB file
        // that would decode into 1.2 billion ints. It must be refused, quickly and without that allocation.
        var b = new FlatBufferBuilder(400_000);
        VectorOffset shape = TestModelBuilder.IntVector(b, Enumerable.Repeat(1, 60_000).ToArray());
        StringOffset name = b.CreateString("shared");
        b.StartTable(4);
        b.AddOffset(0, shape.Value, 0);
        b.AddOffset(3, name.Value, 0);
        int tensor = b.EndTable();
        VectorOffset tensors = TestModelBuilder.OffsetVector(b, Enumerable.Repeat(tensor, 20_000).ToArray());
        b.StartTable(4);
        b.AddOffset(0, tensors.Value, 0);
        int subgraph = b.EndTable();
        b.StartTable(1);
        int sentinel = b.EndTable();
        VectorOffset subgraphs = TestModelBuilder.OffsetVector(b, [subgraph]);
        VectorOffset buffers = TestModelBuilder.OffsetVector(b, [sentinel]);
        b.StartTable(5);
        b.AddUint(0, 3, 0);
        b.AddOffset(2, subgraphs.Value, 0);
        b.AddOffset(4, buffers.Value, 0);
        b.Finish(b.EndTable(), "TFL3");
        byte[] bytes = b.SizedByteArray();

        long before = GC.GetAllocatedBytesForCurrentThread();
        TfliteFormatException e = Reject(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("more data than the file holds", e.Reason, StringComparison.Ordinal);
        Assert.StartsWith("subgraphs[0].tensors[", e.FieldPath, StringComparison.Ordinal);
        Assert.True(allocated < 8L * bytes.Length, $"allocated {allocated} bytes for a {bytes.Length}-byte file");
    }

    [Fact]
    public void ReadFile_wraps_io_failures_naming_the_file()
    {
        string missing = Path.Combine(Path.GetTempPath(), "perfsage-no-such-model-" + Guid.NewGuid().ToString("N") + ".tflite");
        TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(missing));
        Assert.Equal(missing, e.SourceName);
        Assert.Equal("<file>", e.FieldPath);
        Assert.Equal(missing + ": no such file", e.Message);
    }

    [Fact]
    public void ReadFile_names_the_file_in_format_errors()
    {
        string path = Path.Combine(Path.GetTempPath(), "perfsage-text-" + Guid.NewGuid().ToString("N") + ".tflite");
        File.WriteAllText(path, "This is not a model at all", Encoding.ASCII);
        try
        {
            TfliteFormatException e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(path));
            Assert.Equal(path, e.SourceName);
            Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
