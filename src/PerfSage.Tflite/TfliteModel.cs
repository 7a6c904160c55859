namespace PerfSage.Tflite;

/// <summary>
/// A parsed, validated <c>.tflite</c> model. Structure (tensors, operators, options) is decoded
/// once into small objects; tensor data is never copied: every buffer is a slice of
/// <see cref="Bytes"/>. Instances are immutable and safe to share between threads.
/// Create one with <see cref="TfliteReader"/>.
/// </summary>
public sealed class TfliteModel
{
    /// <summary>The whole file. Buffer data are slices of it.</summary>
    public required ReadOnlyMemory<byte> Bytes { get; init; }

    /// <summary>Where the bytes came from (a path or a caller-given name), for messages.</summary>
    public required string SourceName { get; init; }

    /// <summary><c>Model.version</c> (3 for every current converter; the reader also accepts 2, which
    /// old TOCO test files declare while using the version 3 layout, and rejects anything else).</summary>
    public required uint Version { get; init; }

    /// <summary><c>Model.description</c>, if present.</summary>
    public string? Description { get; init; }

    public required IReadOnlyList<OperatorCode> OperatorCodes { get; init; }

    public required IReadOnlyList<Subgraph> Subgraphs { get; init; }

    public required IReadOnlyList<TfliteBuffer> Buffers { get; init; }

    public required IReadOnlyList<SignatureDef> SignatureDefs { get; init; }

    public required IReadOnlyList<MetadataEntry> Metadata { get; init; }

    /// <summary>
    /// For a PerfSage weightless model, the size in bytes the file has with its weights; null for any other model.
    /// A weightless file (<see cref="WeightlessModel"/>) keeps every tensor's shape, type and quantisation and the
    /// data of shape-like constants (INT32 shapes, axes, permutations), but its weights and biases point to their
    /// own empty buffer instead of holding data (activations use buffer 0). It is a graph for costing and for
    /// training labels, not a model to run; its flash footprint is this declared size.
    /// </summary>
    public long? WeightlessFileBytes { get; init; }

    /// <summary>True for a PerfSage weightless model (<see cref="WeightlessFileBytes"/>).</summary>
    public bool IsWeightless => WeightlessFileBytes is not null;

    /// <summary>The data of buffer <paramref name="index"/> (empty for the sentinel buffer 0).</summary>
    public ReadOnlyMemory<byte> GetBufferData(uint index) =>
        index < (uint)Buffers.Count ? Buffers[(int)index].Data : ReadOnlyMemory<byte>.Empty;
}

/// <summary>An entry of <c>Model.operator_codes</c>.</summary>
/// <param name="Code">The resolved code, <c>max(deprecated_builtin_code, builtin_code)</c>.
/// Codes this build does not know (from newer schemas) are kept as their number.</param>
/// <param name="CustomCode">The custom op name for <see cref="BuiltinOperator.CUSTOM"/>.</param>
/// <param name="Version">The operator version (1 when absent).</param>
public sealed record OperatorCode(int Code, string? CustomCode, int Version)
{
    /// <summary>True when <see cref="Code"/> is a value of <see cref="BuiltinOperator"/>.</summary>
    public bool IsKnown => Code >= 0 && Code <= MaxKnownCode;

    public bool IsCustom => Code == (int)BuiltinOperator.CUSTOM;

    /// <summary>The builtin operator; only meaningful when <see cref="IsKnown"/>.</summary>
    public BuiltinOperator Builtin => (BuiltinOperator)Code;

    /// <summary>Schema name (<c>CONV_2D</c>), the custom code for custom ops
    /// (<c>CUSTOM:ethos-u</c>), or <c>Unknown(n)</c> for codes from newer schemas.</summary>
    public string Name => IsCustom ? "CUSTOM:" + (CustomCode ?? "")
        : IsKnown ? Builtin.ToString()
        : $"Unknown({Code})";

    /// <summary>The highest <see cref="BuiltinOperator"/> this build knows.</summary>
    public const int MaxKnownCode = (int)BuiltinOperator.STABLEHLO_CASE;
}

/// <summary>One entry of <c>Model.buffers</c>.</summary>
/// <param name="Data">The bytes, a slice of the file: the inline <c>data</c> vector, or the
/// region <c>[offset, offset+size)</c> of the file when the buffer is stored outside the flatbuffer.</param>
/// <param name="Offset"><c>Buffer.offset</c> (0 when the data are inline or absent).</param>
/// <param name="Size"><c>Buffer.size</c> (0 when the data are inline or absent).</param>
public sealed record TfliteBuffer(ReadOnlyMemory<byte> Data, ulong Offset, ulong Size)
{
    public bool IsStoredOutside => Offset > 1 || Size > 0;
}

/// <summary><c>Model.metadata[i]</c>: a name and the buffer it points to (checked to be in range).</summary>
public sealed record MetadataEntry(string Name, uint BufferIndex);

/// <summary><c>Model.signature_defs[i]</c> (subgraph and tensor indices checked to be in range).</summary>
public sealed record SignatureDef(
    string SignatureKey,
    uint SubgraphIndex,
    IReadOnlyList<SignatureTensor> Inputs,
    IReadOnlyList<SignatureTensor> Outputs);

/// <summary><c>TensorMap</c>: a signature name bound to a tensor index of the signature's subgraph.</summary>
public sealed record SignatureTensor(string Name, uint TensorIndex);

/// <summary>One subgraph: its tensors, operators in execution order, inputs and outputs.</summary>
public sealed class Subgraph
{
    public required string? Name { get; init; }

    public required IReadOnlyList<Tensor> Tensors { get; init; }

    /// <summary>Operators in execution order.</summary>
    public required IReadOnlyList<Operator> Operators { get; init; }

    /// <summary>Tensor indices of the subgraph inputs (checked to be in range).</summary>
    public required IReadOnlyList<int> Inputs { get; init; }

    /// <summary>Tensor indices of the subgraph outputs (checked to be in range).</summary>
    public required IReadOnlyList<int> Outputs { get; init; }
}

/// <summary><c>Tensor</c>.</summary>
public sealed class Tensor
{
    public required string Name { get; init; }

    /// <summary>The static shape (empty for scalars).</summary>
    public required IReadOnlyList<int> Shape { get; init; }

    /// <summary><c>shape_signature</c> (-1 marks a dynamic dimension), or null when absent. An empty
    /// signature on a tensor of rank &gt; 0 (written by some exporters) carries no information and
    /// is reported as null; otherwise it has the rank of <see cref="Shape"/>.</summary>
    public IReadOnlyList<int>? ShapeSignature { get; init; }

    /// <summary>The element type. Codes from schemas newer than this build (&gt; 22) are kept as their
    /// raw number, not rejected: check <see cref="HasKnownType"/> before relying on the element size.</summary>
    public required TensorType Type { get; init; }

    /// <summary>True when <see cref="Type"/> is a type this build knows (0..22).</summary>
    public bool HasKnownType => Type <= TensorType.Float8E5M2;

    /// <summary><c>has_rank</c>: true when the writer states that an empty <see cref="Shape"/> is a
    /// scalar rather than an unknown rank (most converters leave it false).</summary>
    public bool HasRank { get; init; }

    /// <summary><c>external_buffer</c>: the id of an <c>ExternalBuffer</c> whose data live in another
    /// file (0: none; checked against <c>Model.external_buffers</c>).</summary>
    public uint ExternalBuffer { get; init; }

    /// <summary>Index into <see cref="TfliteModel.Buffers"/> (checked to be in range); 0 means no data (the sentinel).</summary>
    public required uint Buffer { get; init; }

    /// <summary>The quantisation, or null when absent or empty (no scale, zero point, min, max or details:
    /// converters write such empty tables for float tensors).</summary>
    public QuantizationParameters? Quantization { get; init; }

    public bool IsVariable { get; init; }

    /// <summary>True when the tensor carries <c>sparsity</c> parameters.</summary>
    public bool IsSparse { get; init; }
}

/// <summary><c>QuantizationParameters</c> (affine: real = scale · (q − zero_point)).</summary>
public sealed record QuantizationParameters(
    IReadOnlyList<float> Scale,
    IReadOnlyList<long> ZeroPoint,
    int QuantizedDimension,
    IReadOnlyList<float> Min,
    IReadOnlyList<float> Max)
{
    /// <summary>True when there is more than one scale (per-channel quantisation).</summary>
    public bool IsPerChannel => Scale.Count > 1;

    /// <summary>The <c>details</c> union (block-wise, multi-axis or custom quantisation), or null. When set,
    /// TFLite ignores the scale and zero point above.</summary>
    public QuantizationDetails? Details { get; init; }
}

/// <summary><c>Operator</c>.</summary>
public sealed class Operator
{
    /// <summary>Index into <see cref="TfliteModel.OperatorCodes"/>.</summary>
    public required uint OpcodeIndex { get; init; }

    /// <summary>Tensor indices of the inputs; -1 marks an omitted optional input (any other value is
    /// checked to be a tensor of the subgraph).</summary>
    public required IReadOnlyList<int> Inputs { get; init; }

    /// <summary>Tensor indices of the outputs.</summary>
    public required IReadOnlyList<int> Outputs { get; init; }

    /// <summary>Tensor indices of <c>intermediates</c> (LSTM internals), possibly empty.</summary>
    public IReadOnlyList<int> Intermediates { get; init; } = [];

    /// <summary>The union tag of <c>builtin_options</c>.</summary>
    public BuiltinOptionsType OptionsType { get; init; }

    /// <summary>The decoded options, or null when absent or of a type not decoded
    /// (the tag is still in <see cref="OptionsType"/>).</summary>
    public OperatorOptions? Options { get; init; }

    /// <summary>The union tag of <c>builtin_options_2</c> (StableHLO ops).</summary>
    public BuiltinOptions2Type Options2Type { get; init; }

    /// <summary>The decoded <c>builtin_options_2</c> for the StableHLO tables that name subgraphs
    /// (<see cref="StableHloCompositeOptions"/>, <see cref="ControlFlowOptions"/>), else null.</summary>
    public OperatorOptions? Options2 { get; init; }

    /// <summary>Length in bytes of <c>custom_options</c> (or of the large custom options).</summary>
    public int CustomOptionsLength { get; init; }

    /// <summary>True when the operator carries a <c>custom_options</c> vector (possibly empty) or large custom options.</summary>
    public bool HasCustomOptions { get; init; }

    /// <summary>The custom options bytes, a slice of <see cref="TfliteModel.Bytes"/>: the inline
    /// <c>custom_options</c> vector or the region <c>large_custom_options_offset/size</c>.</summary>
    public ReadOnlyMemory<byte> CustomOptions { get; init; }

    public CustomOptionsFormat CustomOptionsFormat { get; init; }
}

/// <summary>The <c>QuantizationDetails</c> union of <see cref="QuantizationParameters"/>.</summary>
public abstract record QuantizationDetails;

/// <summary><c>BlockwiseQuantization</c>: scales (and zero points) are tensors of the same subgraph.</summary>
/// <param name="ScalesTensor">Tensor index of the scales (checked to be in range).</param>
/// <param name="ZeroPointsTensor">Tensor index of the zero points, or -1 for none.</param>
/// <param name="BlockSize">Elements per block.</param>
public sealed record BlockwiseQuantization(int ScalesTensor, int ZeroPointsTensor, int BlockSize) : QuantizationDetails;

/// <summary><c>MultiAxisQuantization</c>: like <see cref="BlockwiseQuantization"/> over several dimensions.</summary>
public sealed record MultiAxisQuantization(
    int ScalesTensor, int ZeroPointsTensor, int BlockSize, IReadOnlyList<int> QuantizedDimensions) : QuantizationDetails;

/// <summary><c>CustomQuantization</c>: opaque bytes, a slice of <see cref="TfliteModel.Bytes"/>.</summary>
public sealed record CustomQuantization(ReadOnlyMemory<byte> Data) : QuantizationDetails;

/// <summary>Union type code of <c>QuantizationDetails</c> the reader does not know (newer schema);
/// the table's layout was checked, its content is not decoded.</summary>
public sealed record UnknownQuantizationDetails(byte TypeCode) : QuantizationDetails;
