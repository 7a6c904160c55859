using Google.FlatBuffers;

namespace PerfSage.Tflite.Tests;

/// <summary>A hand-made operator code. Null fields are left out of the table (the reader sees the default).</summary>
public sealed record OpCodeSpec(sbyte? Deprecated = null, int? Builtin = null, string? Custom = null, int? Version = null);

/// <summary>A hand-made tensor.</summary>
public sealed record TensorSpec(int[] Shape, string Name = "t", byte Type = (byte)TensorType.Float32, uint Buffer = 0)
{
    public int[]? Signature { get; init; }
    public float[]? Scale { get; init; }
    public long[]? ZeroPoint { get; init; }
    public int QuantizedDimension { get; init; }
}

/// <summary>A hand-made operator; <see cref="Options"/> writes the options table and returns its offset.</summary>
public sealed record OperatorSpec(uint OpcodeIndex, int[] Inputs, int[] Outputs)
{
    public int[]? Intermediates { get; init; }
    public byte OptionsType { get; init; }
    public Func<FlatBufferBuilder, int>? Options { get; init; }
    public byte[]? CustomOptions { get; init; }
}

public sealed record SubgraphSpec(TensorSpec[] Tensors, int[] Inputs, int[] Outputs, OperatorSpec[] Operators, string? Name = "main");

/// <summary>A hand-made buffer: inline <see cref="Data"/>, or <see cref="Offset"/>/<see cref="Size"/>.</summary>
public sealed record BufferSpec(byte[]? Data = null, ulong? Offset = null, ulong? Size = null);

public sealed record SignatureSpec(string Key, uint SubgraphIndex, (string Name, uint Tensor)[] Inputs, (string Name, uint Tensor)[] Outputs);

/// <summary>
/// Writes small TFLite models with <see cref="FlatBufferBuilder"/> (the official runtime), field ids as
/// in the official schema, so each test states exactly the rule it exercises. The defaults give a valid
/// one-operator model: ADD of tensors 0 and 1 into 2.
/// </summary>
public sealed class TestModelBuilder
{
    public uint Version { get; set; } = 3;
    /// <summary>Bytes 4..8; null writes no identifier (the root table may then start at byte 4).</summary>
    public string? FileIdentifier { get; set; } = "TFL3";
    public string? Description { get; set; } = "hand-made";

    public List<OpCodeSpec> OperatorCodes { get; } = [new OpCodeSpec(Deprecated: 0, Builtin: 0)];

    public List<SubgraphSpec> Subgraphs { get; } =
    [
        new SubgraphSpec(
            [new TensorSpec([1, 4], "a"), new TensorSpec([1, 4], "b", Buffer: 1), new TensorSpec([1, 4], "sum")],
            [0], [2],
            [new OperatorSpec(0, [0, 1], [2])]),
    ];

    public List<BufferSpec> Buffers { get; } = [new BufferSpec(), new BufferSpec(new byte[16])];

    public List<(string Name, uint Buffer)> Metadata { get; } = [];

    public List<SignatureSpec> Signatures { get; } = [];

    /// <summary>Bytes appended after the flatbuffer (for buffers stored outside it).</summary>
    public byte[] Trailer { get; set; } = [];

    public byte[] Build()
    {
        var b = new FlatBufferBuilder(1024);

        int[] buffers = Buffers.Select(buffer => WriteBuffer(b, buffer)).ToArray();
        int[] codes = OperatorCodes.Select(code => WriteOperatorCode(b, code)).ToArray();
        int[] subgraphs = Subgraphs.Select(subgraph => WriteSubgraph(b, subgraph)).ToArray();
        int[] metadata = Metadata.Select(m =>
        {
            StringOffset name = b.CreateString(m.Name);
            b.StartTable(2);
            b.AddOffset(0, name.Value, 0);
            b.AddUint(1, m.Buffer, 0);
            return b.EndTable();
        }).ToArray();
        int[] signatures = Signatures.Select(s => WriteSignature(b, s)).ToArray();

        VectorOffset codesVector = OffsetVector(b, codes);
        VectorOffset subgraphsVector = OffsetVector(b, subgraphs);
        VectorOffset buffersVector = OffsetVector(b, buffers);
        VectorOffset? metadataVector = metadata.Length > 0 ? OffsetVector(b, metadata) : null;
        VectorOffset? signaturesVector = signatures.Length > 0 ? OffsetVector(b, signatures) : null;
        StringOffset? description = Description is null ? null : b.CreateString(Description);

        b.StartTable(10);
        b.AddUint(0, Version, 0);
        b.AddOffset(1, codesVector.Value, 0);
        b.AddOffset(2, subgraphsVector.Value, 0);
        if (description is { } d)
        {
            b.AddOffset(3, d.Value, 0);
        }
        b.AddOffset(4, buffersVector.Value, 0);
        if (metadataVector is { } m)
        {
            b.AddOffset(6, m.Value, 0);
        }
        if (signaturesVector is { } s)
        {
            b.AddOffset(7, s.Value, 0);
        }
        int model = b.EndTable();
        if (FileIdentifier is null)
        {
            b.Finish(model);
        }
        else
        {
            b.Finish(model, FileIdentifier);
        }
        byte[] flatbuffer = b.SizedByteArray();
        return [.. flatbuffer, .. Trailer];
    }

    /// <summary>The length the flatbuffer part will have (to place outside buffers after it).</summary>
    public int FlatbufferLength()
    {
        byte[] saved = Trailer;
        Trailer = [];
        int length = Build().Length;
        Trailer = saved;
        return length;
    }

    public static VectorOffset IntVector(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--)
        {
            b.AddInt(values[i]);
        }
        return b.EndVector();
    }

    public static VectorOffset OffsetVector(FlatBufferBuilder b, int[] offsets)
    {
        b.StartVector(4, offsets.Length, 4);
        for (int i = offsets.Length - 1; i >= 0; i--)
        {
            b.AddOffset(offsets[i]);
        }
        return b.EndVector();
    }

    private static int WriteBuffer(FlatBufferBuilder b, BufferSpec buffer)
    {
        VectorOffset? data = null;
        if (buffer.Data is { } bytes)
        {
            b.StartVector(1, bytes.Length, 16);
            for (int i = bytes.Length - 1; i >= 0; i--)
            {
                b.AddByte(bytes[i]);
            }
            data = b.EndVector();
        }
        b.StartTable(3);
        if (data is { } v)
        {
            b.AddOffset(0, v.Value, 0);
        }
        if (buffer.Offset is { } offset)
        {
            b.AddUlong(1, offset, ~offset); // a default that differs forces the field out
        }
        if (buffer.Size is { } size)
        {
            b.AddUlong(2, size, ~size);
        }
        return b.EndTable();
    }

    private static int WriteOperatorCode(FlatBufferBuilder b, OpCodeSpec code)
    {
        StringOffset? custom = code.Custom is null ? null : b.CreateString(code.Custom);
        b.StartTable(4);
        if (code.Deprecated is { } deprecated)
        {
            b.AddSbyte(0, deprecated, (sbyte)~deprecated);
        }
        if (custom is { } c)
        {
            b.AddOffset(1, c.Value, 0);
        }
        if (code.Version is { } version)
        {
            b.AddInt(2, version, ~version);
        }
        if (code.Builtin is { } builtin)
        {
            b.AddInt(3, builtin, ~builtin);
        }
        return b.EndTable();
    }

    private static int WriteSubgraph(FlatBufferBuilder b, SubgraphSpec subgraph)
    {
        int[] tensors = subgraph.Tensors.Select(t => WriteTensor(b, t)).ToArray();
        int[] operators = subgraph.Operators.Select(o => WriteOperator(b, o)).ToArray();
        VectorOffset tensorsVector = OffsetVector(b, tensors);
        VectorOffset inputs = IntVector(b, subgraph.Inputs);
        VectorOffset outputs = IntVector(b, subgraph.Outputs);
        VectorOffset operatorsVector = OffsetVector(b, operators);
        StringOffset? name = subgraph.Name is null ? null : b.CreateString(subgraph.Name);
        b.StartTable(5);
        b.AddOffset(0, tensorsVector.Value, 0);
        b.AddOffset(1, inputs.Value, 0);
        b.AddOffset(2, outputs.Value, 0);
        b.AddOffset(3, operatorsVector.Value, 0);
        if (name is { } n)
        {
            b.AddOffset(4, n.Value, 0);
        }
        return b.EndTable();
    }

    private static int WriteTensor(FlatBufferBuilder b, TensorSpec tensor)
    {
        VectorOffset shape = IntVector(b, tensor.Shape);
        VectorOffset? signature = tensor.Signature is null ? null : IntVector(b, tensor.Signature);
        StringOffset name = b.CreateString(tensor.Name);
        int? quantization = null;
        if (tensor.Scale is not null || tensor.ZeroPoint is not null)
        {
            VectorOffset? scale = null, zeroPoint = null;
            if (tensor.Scale is { } scales)
            {
                b.StartVector(4, scales.Length, 4);
                for (int i = scales.Length - 1; i >= 0; i--)
                {
                    b.AddFloat(scales[i]);
                }
                scale = b.EndVector();
            }
            if (tensor.ZeroPoint is { } zeros)
            {
                b.StartVector(8, zeros.Length, 8);
                for (int i = zeros.Length - 1; i >= 0; i--)
                {
                    b.AddLong(zeros[i]);
                }
                zeroPoint = b.EndVector();
            }
            b.StartTable(7);
            if (scale is { } s)
            {
                b.AddOffset(2, s.Value, 0);
            }
            if (zeroPoint is { } z)
            {
                b.AddOffset(3, z.Value, 0);
            }
            b.AddInt(6, tensor.QuantizedDimension, 0);
            quantization = b.EndTable();
        }
        b.StartTable(8);
        b.AddOffset(0, shape.Value, 0);
        b.AddByte(1, tensor.Type, 0);
        b.AddUint(2, tensor.Buffer, 0);
        b.AddOffset(3, name.Value, 0);
        if (quantization is { } q)
        {
            b.AddOffset(4, q, 0);
        }
        if (signature is { } sig)
        {
            b.AddOffset(7, sig.Value, 0);
        }
        return b.EndTable();
    }

    private static int WriteOperator(FlatBufferBuilder b, OperatorSpec op)
    {
        VectorOffset inputs = IntVector(b, op.Inputs);
        VectorOffset outputs = IntVector(b, op.Outputs);
        VectorOffset? intermediates = op.Intermediates is null ? null : IntVector(b, op.Intermediates);
        int? options = op.Options?.Invoke(b);
        VectorOffset? custom = null;
        if (op.CustomOptions is { } bytes)
        {
            b.StartVector(1, bytes.Length, 1);
            for (int i = bytes.Length - 1; i >= 0; i--)
            {
                b.AddByte(bytes[i]);
            }
            custom = b.EndVector();
        }
        b.StartTable(9);
        b.AddUint(0, op.OpcodeIndex, 0);
        b.AddOffset(1, inputs.Value, 0);
        b.AddOffset(2, outputs.Value, 0);
        b.AddByte(3, op.OptionsType, 0);
        if (options is { } o)
        {
            b.AddOffset(4, o, 0);
        }
        if (custom is { } c)
        {
            b.AddOffset(5, c.Value, 0);
        }
        if (intermediates is { } i8)
        {
            b.AddOffset(8, i8.Value, 0);
        }
        return b.EndTable();
    }

    private static int WriteSignature(FlatBufferBuilder b, SignatureSpec signature)
    {
        int Map((string Name, uint Tensor) entry)
        {
            StringOffset name = b.CreateString(entry.Name);
            b.StartTable(2);
            b.AddOffset(0, name.Value, 0);
            b.AddUint(1, entry.Tensor, 0);
            return b.EndTable();
        }
        VectorOffset inputs = OffsetVector(b, signature.Inputs.Select(Map).ToArray());
        VectorOffset outputs = OffsetVector(b, signature.Outputs.Select(Map).ToArray());
        StringOffset key = b.CreateString(signature.Key);
        b.StartTable(5);
        b.AddOffset(0, inputs.Value, 0);
        b.AddOffset(1, outputs.Value, 0);
        b.AddOffset(2, key.Value, 0);
        b.AddUint(4, signature.SubgraphIndex, 0);
        return b.EndTable();
    }
}
