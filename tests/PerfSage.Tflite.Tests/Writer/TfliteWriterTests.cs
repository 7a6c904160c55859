using System.Runtime.InteropServices;
using System.Text;

namespace PerfSage.Tflite.Tests.Writer;

public sealed class TfliteWriterTests
{
    [Fact]
    public void Hand_built_model_with_every_options_record_round_trips_field_by_field()
    {
        TfliteModel model = HandBuiltModels.EveryOption();
        byte[] bytes = TfliteWriter.Write(model);
        TfliteModel read = TfliteReader.Parse(bytes, "written");

        ModelComparer.AssertSame(model, read);
        Assert.Equal(3u, read.Version);
    }

    [Fact]
    public void Hand_built_model_covers_every_options_record_type_of_the_object_model()
    {
        // Every concrete OperatorOptions record of PerfSage.Tflite must appear in the round-trip model, so a
        // record added to OperatorOptions.cs without a writer case fails here.
        HashSet<Type> all = typeof(OperatorOptions).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(OperatorOptions)) && !t.IsAbstract)
            .ToHashSet();
        HashSet<Type> used = HandBuiltModels.Cases
            .SelectMany(c => new[] { c.Options, c.Options2 })
            .OfType<OperatorOptions>()
            .Select(o => o.GetType())
            .ToHashSet();

        Assert.Empty(all.Except(used).Select(t => t.Name));
        Assert.True(all.Count >= 35, $"only {all.Count} options records found");
    }

    [Fact]
    public void Every_tag_that_has_a_record_is_exercised_by_the_hand_built_model()
    {
        // The tags ForOperator hands out for builtin operators are all written in the round-trip model.
        HashSet<BuiltinOptionsType> tags = Enum.GetValues<BuiltinOperator>()
            .Select(BuiltinOptionsTags.ForOperator)
            .Where(t => t != BuiltinOptionsType.None)
            .ToHashSet();
        HashSet<BuiltinOptionsType> used = HandBuiltModels.Cases.Where(c => c.Options is not null).Select(c => c.Tag).ToHashSet();
        Assert.Empty(tags.Except(used));

        HashSet<BuiltinOptions2Type> tags2 = Enum.GetValues<BuiltinOperator>()
            .Select(BuiltinOptionsTags.ForOperator2)
            .Where(t => t != BuiltinOptions2Type.None)
            .ToHashSet();
        HashSet<BuiltinOptions2Type> used2 = HandBuiltModels.Cases.Where(c => c.Options2 is not null).Select(c => c.Tag2).ToHashSet();
        Assert.Empty(tags2.Except(used2));
    }

    [Fact]
    public void Output_is_deterministic_and_a_fixed_point_of_read_then_write()
    {
        TfliteModel model = HandBuiltModels.EveryOption();
        byte[] first = TfliteWriter.Write(model);
        byte[] second = TfliteWriter.Write(HandBuiltModels.EveryOption());
        byte[] rewritten = TfliteWriter.Write(TfliteReader.Parse(first));

        Assert.Equal(first, second);
        Assert.Equal(first, rewritten);
    }

    [Fact]
    public void File_starts_with_the_root_offset_then_the_TFL3_identifier_and_declares_version_3()
    {
        byte[] bytes = TfliteWriter.Write(HandBuiltModels.EveryOption());
        var raw = new RawFlatBuffer(bytes);

        Assert.Equal("TFL3", Encoding.ASCII.GetString(bytes, 4, 4));
        Assert.Equal(3u, raw.ReadUInt(raw.Root, 0, 0)); // Model.version (field 0)
        Assert.Equal(0, bytes.Length % 16); // padded to the largest alignment used (buffer data)
    }

    [Fact]
    public void Buffer_data_start_on_16_byte_boundaries_of_the_file()
    {
        byte[] bytes = TfliteWriter.Write(HandBuiltModels.EveryOption());
        TfliteModel read = TfliteReader.Parse(bytes);

        int checkedBuffers = 0;
        foreach (TfliteBuffer buffer in read.Buffers.Where(b => !b.Data.IsEmpty))
        {
            Assert.True(MemoryMarshal.TryGetArray(buffer.Data, out ArraySegment<byte> segment));
            Assert.Same(bytes, segment.Array);
            Assert.Equal(0, segment.Offset % 16);
            checkedBuffers++;
        }
        Assert.Equal(4, checkedBuffers); // buffers 1..4 hold data (16, 7, 100 and 7 bytes)
    }

    [Fact]
    public void Operator_codes_store_both_the_byte_code_capped_at_127_and_the_int32_code()
    {
        TfliteModel model = HandBuiltModels.EveryOption();
        var raw = new RawFlatBuffer(TfliteWriter.Write(model));
        int root = raw.Root;
        Assert.Equal(model.OperatorCodes.Count, raw.VectorLength(root, 1));

        for (int i = 0; i < model.OperatorCodes.Count; i++)
        {
            int code = model.OperatorCodes[i].Code;
            int table = raw.TableAt(root, 1, i);
            // OperatorCode: deprecated_builtin_code:byte (0), custom_code (1), version = 1 (2), builtin_code (3)
            Assert.Equal(code < 127 ? code : 127, raw.ReadSByte(table, 0, 0));
            Assert.Equal(code, raw.ReadInt(table, 3, 0));
            Assert.Equal(model.OperatorCodes[i].Version, raw.ReadInt(table, 2, 1));
        }
        // The model has codes on both sides of 127: CONV_2D (3) and GELU (150), STABLEHLO_CASE (209), 250.
        Assert.Contains(model.OperatorCodes, c => c.Code == 3);
        Assert.Contains(model.OperatorCodes, c => c.Code == 150);
        Assert.Contains(model.OperatorCodes, c => c.Code == 250);
    }

    [Fact]
    public void Buffer_0_sentinel_is_added_when_the_model_has_no_buffers()
    {
        TfliteModel model = WithTensorBuffers(HandBuiltModels.SingleAdd(buffers: []), 0);
        TfliteModel read = TfliteReader.Parse(TfliteWriter.Write(model));

        TfliteBuffer only = Assert.Single(read.Buffers);
        Assert.True(only.Data.IsEmpty);
    }

    [Fact]
    public void Buffers_stored_outside_the_flatbuffer_are_written_inline_with_the_same_bytes()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        TfliteModel model = HandBuiltModels.SingleAdd(
            buffers: [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0), new TfliteBuffer(data, Offset: 4096, Size: 8)]);
        TfliteModel read = TfliteReader.Parse(TfliteWriter.Write(model));

        Assert.Equal(data, read.Buffers[1].Data.ToArray());
        Assert.Equal(0ul, read.Buffers[1].Offset);
        Assert.Equal(0ul, read.Buffers[1].Size);
        Assert.False(read.Buffers[1].IsStoredOutside);
    }

    [Fact]
    public void Rejects_a_non_empty_buffer_0()
    {
        TfliteModel model = HandBuiltModels.SingleAdd(buffers: [new TfliteBuffer(new byte[] { 1 }, 0, 0), new TfliteBuffer(new byte[16], 0, 0)]);
        ArgumentException e = Assert.Throws<ArgumentException>(() => TfliteWriter.Write(model));
        Assert.Contains("buffers[0]", e.Message);
    }

    [Fact]
    public void Rejects_a_tensor_buffer_index_out_of_range_naming_the_field()
    {
        TfliteModel model = HandBuiltModels.SingleAdd(extra: new Tensor { Name = "sum", Shape = [1, 4], Type = TensorType.Float32, Buffer = 9 });
        ArgumentException e = Assert.Throws<ArgumentException>(() => TfliteWriter.Write(model));
        Assert.Contains("subgraphs[0].tensors[2].buffer", e.Message);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Rejects_an_operator_input_out_of_range_but_accepts_minus_one()
    {
        TfliteModel bad = HandBuiltModels.SingleAdd(op: new Operator { OpcodeIndex = 0, Inputs = [0, 3], Outputs = [2] });
        ArgumentException e = Assert.Throws<ArgumentException>(() => TfliteWriter.Write(bad));
        Assert.Contains("subgraphs[0].operators[0].inputs[1]", e.Message);

        TfliteModel omitted = HandBuiltModels.SingleAdd(op: new Operator { OpcodeIndex = 0, Inputs = [0, -1], Outputs = [2] });
        Assert.Equal([0, -1], TfliteReader.Parse(TfliteWriter.Write(omitted)).Subgraphs[0].Operators[0].Inputs);
    }

    [Fact]
    public void Rejects_an_opcode_index_out_of_range()
    {
        TfliteModel model = HandBuiltModels.SingleAdd(op: new Operator { OpcodeIndex = 1, Inputs = [0, 1], Outputs = [2] });
        ArgumentException e = Assert.Throws<ArgumentException>(() => TfliteWriter.Write(model));
        Assert.Contains("opcode_index", e.Message);
    }

    [Fact]
    public void Rejects_options_that_do_not_fit_their_tag_or_have_no_tag()
    {
        TfliteModel wrongRecord = HandBuiltModels.SingleAdd(op: new Operator
        {
            OpcodeIndex = 0, Inputs = [0, 1], Outputs = [2],
            OptionsType = BuiltinOptionsType.AddOptions, Options = new SoftmaxOptions(1f),
        });
        Assert.Contains("do not fit", Assert.Throws<ArgumentException>(() => TfliteWriter.Write(wrongRecord)).Message);

        TfliteModel noTag = HandBuiltModels.SingleAdd(op: new Operator
        {
            OpcodeIndex = 0, Inputs = [0, 1], Outputs = [2], Options = new ArithmeticOptions(ActivationFunctionType.None),
        });
        Assert.Contains("NONE", Assert.Throws<ArgumentException>(() => TfliteWriter.Write(noTag)).Message);
    }

    [Fact]
    public void Rejects_control_flow_options_naming_a_missing_subgraph()
    {
        TfliteModel model = HandBuiltModels.SingleAdd(
            codes: [new OperatorCode((int)BuiltinOperator.WHILE, null, 1)],
            op: new Operator
            {
                OpcodeIndex = 0, Inputs = [0], Outputs = [2],
                OptionsType = BuiltinOptionsType.WhileOptions, Options = new ControlFlowOptions([0, 1]),
            });
        ArgumentException e = Assert.Throws<ArgumentException>(() => TfliteWriter.Write(model));
        Assert.Contains("subgraph index 1", e.Message);
    }

    [Fact]
    public void Rejects_sparse_tensors_and_external_buffers_which_the_object_model_cannot_carry()
    {
        TfliteModel sparse = HandBuiltModels.SingleAdd(extra: new Tensor
        {
            Name = "sum", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0, IsSparse = true,
        });
        Assert.Contains("sparse", Assert.Throws<ArgumentException>(() => TfliteWriter.Write(sparse)).Message);

        TfliteModel external = HandBuiltModels.SingleAdd(extra: new Tensor
        {
            Name = "sum", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0, ExternalBuffer = 3,
        });
        Assert.Contains("external", Assert.Throws<ArgumentException>(() => TfliteWriter.Write(external)).Message);
    }

    [Fact]
    public void Fields_equal_to_their_schema_default_read_back_as_that_default()
    {
        // Conv2D with dilation 1 (default 1), Add with pot_scale_int16 true (default true), FC weights DEFAULT,
        // BiLSTM time_major true (default true): none is stored, all read back.
        var conv = new Conv2DOptions(Padding.Same, 0, 0, ActivationFunctionType.None, 1, 1);
        TfliteModel model = HandBuiltModels.SingleAdd(
            codes: [new OperatorCode((int)BuiltinOperator.CONV_2D, null, 1)],
            op: new Operator { OpcodeIndex = 0, Inputs = [0, 1], Outputs = [2], OptionsType = BuiltinOptionsType.Conv2DOptions, Options = conv });
        byte[] bytes = TfliteWriter.Write(model);
        Assert.Equal(conv, TfliteReader.Parse(bytes).Subgraphs[0].Operators[0].Options);

        // The options table has no stored field: its vtable is the 4-byte header only.
        var raw = new RawFlatBuffer(bytes);
        int subgraph = raw.TableAt(raw.Root, 2, 0);
        int op = raw.TableAt(subgraph, 3, 0);
        int options = raw.Deref(raw.Field(op, 4));
        for (int id = 0; id < 7; id++)
        {
            Assert.Equal(-1, raw.Field(options, id));
        }
    }

    [Fact]
    public void Comparer_reports_each_changed_field_with_its_path()
    {
        // The round-trip tests are only as good as the comparer: it must see a changed option field, a
        // changed scale, a changed buffer byte and a changed list element.
        TfliteModel m = HandBuiltModels.EveryOption();
        Subgraph s = m.Subgraphs[0];
        Operator[] ops = [.. s.Operators];
        Operator conv = ops[0];
        ops[0] = new Operator
        {
            OpcodeIndex = conv.OpcodeIndex, Inputs = conv.Inputs, Outputs = conv.Outputs, Intermediates = conv.Intermediates,
            OptionsType = conv.OptionsType, Options = (Conv2DOptions)conv.Options! with { StrideW = 9 },
        };
        int squeezeAt = Array.FindIndex(ops, o => o.Options is SqueezeOptions);
        Operator squeeze = ops[squeezeAt];
        ops[squeezeAt] = new Operator
        {
            OpcodeIndex = squeeze.OpcodeIndex, Inputs = squeeze.Inputs, Outputs = squeeze.Outputs, Intermediates = squeeze.Intermediates,
            OptionsType = squeeze.OptionsType, Options = new SqueezeOptions([0, 3]),
        };
        Tensor[] tensors = [.. s.Tensors];
        Tensor t0 = tensors[0];
        tensors[0] = new Tensor
        {
            Name = t0.Name, Shape = t0.Shape, ShapeSignature = t0.ShapeSignature, Type = t0.Type, Buffer = t0.Buffer,
            Quantization = t0.Quantization! with { Scale = [0.25f] },
        };
        byte[] data = [.. HandBuiltModels.Data16];
        data[5] ^= 0xFF;
        TfliteBuffer[] buffers = [.. m.Buffers];
        buffers[1] = new TfliteBuffer(data, 0, 0);
        var changed = new TfliteModel
        {
            Bytes = m.Bytes, SourceName = "changed", Version = 3, Description = m.Description, OperatorCodes = m.OperatorCodes,
            Buffers = buffers, SignatureDefs = m.SignatureDefs, Metadata = m.Metadata,
            Subgraphs =
            [
                new Subgraph { Name = s.Name, Tensors = tensors, Operators = ops, Inputs = s.Inputs, Outputs = s.Outputs },
                .. m.Subgraphs.Skip(1),
            ],
        };

        List<string> differences = ModelComparer.Differences(m, changed);

        Assert.Equal(4, differences.Count);
        Assert.Contains(differences, x => x.StartsWith("buffers[1].data", StringComparison.Ordinal));
        Assert.Contains(differences, x => x.StartsWith("subgraphs[0].tensors[0].quantization.scale[0]", StringComparison.Ordinal));
        Assert.Contains(differences, x => x.StartsWith("subgraphs[0].operators[0].builtin_options.StrideW", StringComparison.Ordinal));
        Assert.Contains(differences, x => x.StartsWith($"subgraphs[0].operators[{squeezeAt}].builtin_options.SqueezeDims[1]", StringComparison.Ordinal));
    }

    private static TfliteModel WithTensorBuffers(TfliteModel m, uint buffer) => new()
    {
        Bytes = m.Bytes,
        SourceName = m.SourceName,
        Version = m.Version,
        OperatorCodes = m.OperatorCodes,
        Buffers = m.Buffers,
        SignatureDefs = m.SignatureDefs,
        Metadata = m.Metadata,
        Subgraphs =
        [
            new Subgraph
            {
                Name = m.Subgraphs[0].Name,
                Tensors = m.Subgraphs[0].Tensors.Select(t => new Tensor { Name = t.Name, Shape = t.Shape, Type = t.Type, Buffer = buffer }).ToArray(),
                Operators = m.Subgraphs[0].Operators,
                Inputs = m.Subgraphs[0].Inputs,
                Outputs = m.Subgraphs[0].Outputs,
            },
        ],
    };
}
