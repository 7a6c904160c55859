using PerfSage.Tflite.Writer;

namespace PerfSage.Tflite;

/// <summary>
/// Writes the project's TFLite object model as a <c>.tflite</c> flatbuffer (schema version 3, file
/// identifier <c>TFL3</c>) that <see cref="TfliteReader"/> and TFLite runtimes read.
/// </summary>
/// <remarks>
/// <para>What is written: operator codes (both <c>deprecated_builtin_code</c>, capped at 127, and
/// <c>builtin_code</c>), subgraphs with their tensors (shape, shape signature, type, buffer, name,
/// quantisation with its details, <c>is_variable</c>, <c>has_rank</c>), operators (inputs, outputs,
/// intermediates, every <see cref="OperatorOptions"/> record under its union tag, custom options), buffers
/// (data inline, each aligned to 16 bytes as converters do; buffer 0 is the empty sentinel, added when the
/// model has no buffers), description, metadata and signature definitions.</para>
/// <para>What cannot be written, because the object model does not keep it: sparsity parameters
/// (<see cref="Tensor.IsSparse"/>), external buffers (<see cref="Tensor.ExternalBuffer"/>), the fields of option
/// tables that have no record (those tables are written empty under their tag), and fields a record holds but
/// its table lacks (<see cref="ArithmeticOptions.PotScaleInt16"/> for MUL and DIV, <see cref="RnnOptions.TimeMajor"/>
/// for RNN). Buffers the source stored outside the flatbuffer are written inline; schema version 2 models are
/// written as version 3 (the layout is the same).</para>
/// <para>Output is deterministic: the same model gives the same bytes.</para>
/// </remarks>
public static class TfliteWriter
{
    /// <summary>The schema version written to <c>Model.version</c>.</summary>
    public const uint SchemaVersion = 3;

    /// <summary>The file identifier at bytes 4..8.</summary>
    public const string FileIdentifier = "TFL3";

    /// <summary>Alignment of buffer data from the start of the file (<c>force_align: 16</c> in the schema).</summary>
    public const int BufferAlignment = 16;

    /// <summary>Serialises <paramref name="model"/>. Throws <see cref="ArgumentException"/>, naming the field
    /// path, for a model that cannot be written: an index out of range (tensor, buffer, operator code, subgraph),
    /// a non-empty buffer 0, an options record that does not fit its union tag, or something the writer cannot
    /// represent (sparse tensors, external buffers).</summary>
    public static byte[] Write(TfliteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModelEncoder.Encode(model);
    }

    /// <summary>Writes <paramref name="model"/> to the file at <paramref name="path"/> (created or replaced).</summary>
    public static void WriteFile(TfliteModel model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, Write(model));
    }
}
