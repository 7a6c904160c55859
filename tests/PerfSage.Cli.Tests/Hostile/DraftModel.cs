using PerfSage.Tflite;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// A mutable copy of a <see cref="TfliteModel"/>: semantic mutations edit it (a shape, a scale, an operator's
/// inputs, the operator order) and <see cref="Write"/> serialises it with the project's own
/// <see cref="TfliteWriter"/>, so the mutant is a well-formed FlatBuffer whose content is hostile and reaches the
/// graph builder, the shape and cost rules, the estimators and the featurizer instead of stopping at the reader.
/// </summary>
internal sealed class DraftModel
{
    public List<OperatorCode> OperatorCodes { get; } = [];

    public List<DraftSubgraph> Subgraphs { get; } = [];

    public List<ReadOnlyMemory<byte>> Buffers { get; } = [];

    public string? Description { get; set; }

    public List<SignatureDef> SignatureDefs { get; } = [];

    public List<MetadataEntry> Metadata { get; } = [];

    public static DraftModel From(TfliteModel model)
    {
        var draft = new DraftModel { Description = model.Description };
        draft.OperatorCodes.AddRange(model.OperatorCodes);
        foreach (TfliteBuffer buffer in model.Buffers)
        {
            draft.Buffers.Add(buffer.Data);
        }
        foreach (Subgraph subgraph in model.Subgraphs)
        {
            draft.Subgraphs.Add(DraftSubgraph.From(subgraph));
        }
        draft.SignatureDefs.AddRange(model.SignatureDefs);
        draft.Metadata.AddRange(model.Metadata);
        return draft;
    }

    public DraftSubgraph Main => Subgraphs[0];

    /// <summary>The index of an operator code equal to <paramref name="code"/>, added when missing.</summary>
    public uint CodeIndex(OperatorCode code)
    {
        int index = OperatorCodes.IndexOf(code);
        if (index < 0)
        {
            OperatorCodes.Add(code);
            index = OperatorCodes.Count - 1;
        }
        return (uint)index;
    }

    /// <summary>Adds a buffer holding <paramref name="data"/> and returns its index.</summary>
    public uint AddBuffer(ReadOnlyMemory<byte> data)
    {
        if (Buffers.Count == 0)
        {
            Buffers.Add(ReadOnlyMemory<byte>.Empty);
        }
        Buffers.Add(data);
        return (uint)(Buffers.Count - 1);
    }

    /// <summary>The <c>.tflite</c> bytes, or null when the writer refuses the draft (a mutation that broke one of
    /// the writer's own invariants; the generator then tries another).</summary>
    public byte[]? Write()
    {
        var model = new TfliteModel
        {
            Bytes = ReadOnlyMemory<byte>.Empty,
            SourceName = "<draft>",
            Version = TfliteWriter.SchemaVersion,
            Description = Description,
            OperatorCodes = [.. OperatorCodes],
            Subgraphs = [.. Subgraphs.Select(s => s.ToSubgraph())],
            Buffers = [.. Buffers.Select(b => new TfliteBuffer(b, 0, 0))],
            SignatureDefs = [.. SignatureDefs],
            Metadata = [.. Metadata],
        };
        try
        {
            return TfliteWriter.Write(model);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>A mutable <see cref="Subgraph"/>.</summary>
internal sealed class DraftSubgraph
{
    public string? Name { get; set; }

    public List<DraftTensor> Tensors { get; } = [];

    public List<DraftOperator> Operators { get; } = [];

    public List<int> Inputs { get; } = [];

    public List<int> Outputs { get; } = [];

    public static DraftSubgraph From(Subgraph subgraph)
    {
        var draft = new DraftSubgraph { Name = subgraph.Name };
        draft.Tensors.AddRange(subgraph.Tensors.Select(DraftTensor.From));
        draft.Operators.AddRange(subgraph.Operators.Select(DraftOperator.From));
        draft.Inputs.AddRange(subgraph.Inputs);
        draft.Outputs.AddRange(subgraph.Outputs);
        return draft;
    }

    public DraftSubgraph Clone()
    {
        var copy = new DraftSubgraph { Name = Name };
        copy.Tensors.AddRange(Tensors.Select(t => t.Clone()));
        copy.Operators.AddRange(Operators.Select(o => o.Clone()));
        copy.Inputs.AddRange(Inputs);
        copy.Outputs.AddRange(Outputs);
        return copy;
    }

    public Subgraph ToSubgraph() => new()
    {
        Name = Name,
        Tensors = [.. Tensors.Select(t => t.ToTensor())],
        Operators = [.. Operators.Select(o => o.ToOperator())],
        Inputs = [.. Inputs],
        Outputs = [.. Outputs],
    };
}

/// <summary>A mutable <see cref="Tensor"/>.</summary>
internal sealed class DraftTensor
{
    public string Name { get; set; } = "";

    public int[] Shape { get; set; } = [];

    public int[]? ShapeSignature { get; set; }

    public TensorType Type { get; set; }

    public bool HasRank { get; set; }

    public uint Buffer { get; set; }

    public QuantizationParameters? Quantization { get; set; }

    public bool IsVariable { get; set; }

    public static DraftTensor From(Tensor t) => new()
    {
        Name = t.Name,
        Shape = [.. t.Shape],
        ShapeSignature = t.ShapeSignature is null ? null : [.. t.ShapeSignature],
        Type = t.Type,
        HasRank = t.HasRank,
        Buffer = t.Buffer,
        Quantization = t.Quantization,
        IsVariable = t.IsVariable,
    };

    public DraftTensor Clone()
    {
        DraftTensor copy = (DraftTensor)MemberwiseClone();
        copy.Shape = [.. Shape];
        copy.ShapeSignature = ShapeSignature is null ? null : [.. ShapeSignature];
        return copy;
    }

    public Tensor ToTensor() => new()
    {
        Name = Name,
        Shape = [.. Shape],
        ShapeSignature = ShapeSignature is null ? null : [.. ShapeSignature],
        Type = Type,
        HasRank = HasRank,
        Buffer = Buffer,
        Quantization = Quantization,
        IsVariable = IsVariable,
    };
}

/// <summary>A mutable <see cref="Operator"/>.</summary>
internal sealed class DraftOperator
{
    public uint OpcodeIndex { get; set; }

    public List<int> Inputs { get; set; } = [];

    public List<int> Outputs { get; set; } = [];

    public List<int> Intermediates { get; set; } = [];

    public BuiltinOptionsType OptionsType { get; set; }

    public OperatorOptions? Options { get; set; }

    public BuiltinOptions2Type Options2Type { get; set; }

    public OperatorOptions? Options2 { get; set; }

    public ReadOnlyMemory<byte> CustomOptions { get; set; }

    public CustomOptionsFormat CustomOptionsFormat { get; set; }

    public static DraftOperator From(Operator op) => new()
    {
        OpcodeIndex = op.OpcodeIndex,
        Inputs = [.. op.Inputs],
        Outputs = [.. op.Outputs],
        Intermediates = [.. op.Intermediates],
        OptionsType = op.OptionsType,
        Options = op.Options,
        Options2Type = op.Options2Type,
        Options2 = op.Options2,
        CustomOptions = op.CustomOptions,
        CustomOptionsFormat = op.CustomOptionsFormat,
    };

    public DraftOperator Clone()
    {
        DraftOperator copy = (DraftOperator)MemberwiseClone();
        copy.Inputs = [.. Inputs];
        copy.Outputs = [.. Outputs];
        copy.Intermediates = [.. Intermediates];
        return copy;
    }

    public Operator ToOperator() => new()
    {
        OpcodeIndex = OpcodeIndex,
        Inputs = [.. Inputs],
        Outputs = [.. Outputs],
        Intermediates = [.. Intermediates],
        OptionsType = OptionsType,
        Options = Options,
        Options2Type = Options2Type,
        Options2 = Options2,
        CustomOptions = CustomOptions,
        HasCustomOptions = !CustomOptions.IsEmpty,
        CustomOptionsFormat = CustomOptionsFormat,
    };
}
