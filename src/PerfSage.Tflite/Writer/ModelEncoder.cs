using System.Runtime.InteropServices;
using Google.FlatBuffers;
using PerfSage.Tflite.Internal;

namespace PerfSage.Tflite.Writer;

/// <summary>
/// Serialises a <see cref="TfliteModel"/> with <see cref="FlatBufferBuilder"/>. The builder fills its buffer
/// from the back, and an object must be finished before a table that points to it starts, so each table's
/// children (strings, vectors, sub-tables) are written first. Buffers are written before everything else:
/// their data end up at the end of the file, the structure in front of it. Every index the model holds is
/// checked before it is written, so the writer never produces a file the reader rejects for a dangling index.
/// Field ids are those of the official schema (<see cref="ModelField"/> and friends, shared with the reader).
/// </summary>
internal sealed partial class ModelEncoder
{
    private readonly TfliteModel _model;
    private readonly FlatBufferBuilder _b;
    private readonly int _bufferCount;

    private ModelEncoder(TfliteModel model, int initialSize)
    {
        _model = model;
        _b = new FlatBufferBuilder(initialSize);
        // Buffer 0 is the sentinel; a model without buffers gets one.
        _bufferCount = Math.Max(model.Buffers.Count, 1);
    }

    public static byte[] Encode(TfliteModel model)
    {
        var encoder = new ModelEncoder(model, EstimateSize(model));
        return encoder.EncodeModel();
    }

    /// <summary>A first guess at the output size, so the builder rarely has to grow (and copy) its buffer.</summary>
    private static int EstimateSize(TfliteModel model)
    {
        long size = 4096;
        foreach (TfliteBuffer buffer in model.Buffers)
        {
            size += buffer.Data.Length + TfliteWriter.BufferAlignment + 16;
        }
        foreach (Subgraph subgraph in model.Subgraphs)
        {
            size += 128L * subgraph.Tensors.Count + 96L * subgraph.Operators.Count;
        }
        // FlatBuffers offsets are signed 32-bit and the builder grows its buffer by doubling: 1 GiB is the
        // most this writer takes (converters move larger data outside the flatbuffer, which the object model
        // does not describe).
        if (size >= int.MaxValue / 2)
        {
            throw Invalid("buffers", $"the model's data ({size} bytes) exceed the 1 GiB this writer can put in one flatbuffer");
        }
        return (int)size;
    }

    private byte[] EncodeModel()
    {
        int buffers = EncodeBuffers();
        int operatorCodes = EncodeOperatorCodes();
        int subgraphs = EncodeSubgraphs();
        int description = _model.Description is null ? 0 : _b.CreateString(_model.Description).Value;
        int metadata = EncodeMetadata();
        int signatures = EncodeSignatureDefs();

        _b.StartTable(10);
        _b.AddUint(ModelField.Version, TfliteWriter.SchemaVersion, 0);
        _b.AddOffset(ModelField.OperatorCodes, operatorCodes, 0);
        _b.AddOffset(ModelField.Subgraphs, subgraphs, 0);
        _b.AddOffset(ModelField.Description, description, 0);
        _b.AddOffset(ModelField.Buffers, buffers, 0);
        _b.AddOffset(ModelField.Metadata, metadata, 0);
        _b.AddOffset(ModelField.SignatureDefs, signatures, 0);
        int root = _b.EndTable();
        _b.Finish(root, TfliteWriter.FileIdentifier);
        return _b.SizedByteArray();
    }

    // ---- buffers ----------------------------------------------------------------------------

    private int EncodeBuffers()
    {
        IReadOnlyList<TfliteBuffer> buffers = _model.Buffers;
        if (buffers.Count > 0 && !buffers[0].Data.IsEmpty)
        {
            throw Invalid("buffers[0]", $"buffer 0 must be the empty sentinel but holds {buffers[0].Data.Length} bytes");
        }
        var offsets = new int[_bufferCount];
        for (int i = 0; i < offsets.Length; i++)
        {
            ReadOnlyMemory<byte> data = i < buffers.Count ? buffers[i].Data : ReadOnlyMemory<byte>.Empty;
            int dataOffset = data.IsEmpty ? 0 : ByteVector(data, TfliteWriter.BufferAlignment);
            _b.StartTable(3);
            _b.AddOffset(BufferField.Data, dataOffset, 0);
            offsets[i] = _b.EndTable();
        }
        return OffsetVector(offsets);
    }

    // ---- operator codes ---------------------------------------------------------------------

    private int EncodeOperatorCodes()
    {
        IReadOnlyList<OperatorCode> codes = _model.OperatorCodes;
        var offsets = new int[codes.Count];
        for (int i = 0; i < offsets.Length; i++)
        {
            OperatorCode code = codes[i];
            string path = $"operator_codes[{i}]";
            if (code.Code < 0)
            {
                throw Invalid(path + ".builtin_code", $"operator code {code.Code} is negative");
            }
            if (code.IsCustom && code.CustomCode is null)
            {
                throw Invalid(path + ".custom_code", "a CUSTOM operator code needs a custom code");
            }
            if (code.Version < 1)
            {
                throw Invalid(path + ".version", $"operator version {code.Version} is below 1");
            }
            int custom = code.CustomCode is null ? 0 : _b.CreateString(code.CustomCode).Value;
            _b.StartTable(4);
            _b.AddInt(OperatorCodeField.BuiltinCode, code.Code, 0);
            _b.AddInt(OperatorCodeField.Version, code.Version, 1);
            _b.AddOffset(OperatorCodeField.CustomCode, custom, 0);
            // Codes from 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) up only fit the int32 field; the byte holds 127.
            _b.AddSbyte(OperatorCodeField.DeprecatedBuiltinCode, (sbyte)Math.Min(code.Code, 127), 0);
            offsets[i] = _b.EndTable();
        }
        return OffsetVector(offsets);
    }

    // ---- subgraphs --------------------------------------------------------------------------

    private int EncodeSubgraphs()
    {
        IReadOnlyList<Subgraph> subgraphs = _model.Subgraphs;
        var offsets = new int[subgraphs.Count];
        for (int s = 0; s < offsets.Length; s++)
        {
            offsets[s] = EncodeSubgraph(subgraphs[s], $"subgraphs[{s}]");
        }
        return OffsetVector(offsets);
    }

    private int EncodeSubgraph(Subgraph subgraph, string path)
    {
        int tensorCount = subgraph.Tensors.Count;
        var tensors = new int[tensorCount];
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i] = EncodeTensor(subgraph.Tensors[i], tensorCount, $"{path}.tensors[{i}]");
        }
        int tensorVector = OffsetVector(tensors);
        int inputs = TensorIndexVector(subgraph.Inputs, tensorCount, path + ".inputs", allowOmitted: false);
        int outputs = TensorIndexVector(subgraph.Outputs, tensorCount, path + ".outputs", allowOmitted: false);

        var operators = new int[subgraph.Operators.Count];
        for (int i = 0; i < operators.Length; i++)
        {
            operators[i] = EncodeOperator(subgraph.Operators[i], tensorCount, $"{path}.operators[{i}]");
        }
        int operatorVector = OffsetVector(operators);
        int name = subgraph.Name is null ? 0 : _b.CreateString(subgraph.Name).Value;

        _b.StartTable(5);
        _b.AddOffset(SubGraphField.Tensors, tensorVector, 0);
        _b.AddOffset(SubGraphField.Inputs, inputs, 0);
        _b.AddOffset(SubGraphField.Outputs, outputs, 0);
        _b.AddOffset(SubGraphField.Operators, operatorVector, 0);
        _b.AddOffset(SubGraphField.Name, name, 0);
        return _b.EndTable();
    }

    // ---- tensors ----------------------------------------------------------------------------

    private int EncodeTensor(Tensor tensor, int tensorCount, string path)
    {
        if (tensor.Buffer >= (uint)_bufferCount)
        {
            throw Invalid(path + ".buffer", $"buffer index {tensor.Buffer} out of range (the model has {_bufferCount} buffers)");
        }
        if (tensor.IsSparse)
        {
            throw Invalid(path + ".sparsity", "sparse tensors cannot be written: the object model does not keep their sparsity parameters");
        }
        if (tensor.ExternalBuffer != 0)
        {
            throw Invalid(path + ".external_buffer", "tensors in external buffers cannot be written: the object model does not keep the external buffer table");
        }
        if (tensor.ShapeSignature is { } signature && signature.Count != 0 && signature.Count != tensor.Shape.Count)
        {
            throw Invalid(path + ".shape_signature", $"shape_signature has rank {signature.Count} but shape has rank {tensor.Shape.Count}");
        }

        int name = _b.CreateString(tensor.Name ?? string.Empty).Value;
        int shape = IntVector(tensor.Shape);
        int shapeSignature = tensor.ShapeSignature is null ? 0 : IntVector(tensor.ShapeSignature);
        int quantization = tensor.Quantization is null ? 0 : EncodeQuantization(tensor.Quantization, tensorCount, path + ".quantization");

        _b.StartTable(11);
        _b.AddOffset(TensorField.Shape, shape, 0);
        _b.AddUint(TensorField.Buffer, tensor.Buffer, 0);
        _b.AddOffset(TensorField.Name, name, 0);
        _b.AddOffset(TensorField.Quantization, quantization, 0);
        _b.AddOffset(TensorField.ShapeSignature, shapeSignature, 0);
        _b.AddByte(TensorField.Type, (byte)tensor.Type, 0);
        _b.AddBool(TensorField.IsVariable, tensor.IsVariable, false);
        _b.AddBool(TensorField.HasRank, tensor.HasRank, false);
        return _b.EndTable();
    }

    private int EncodeQuantization(QuantizationParameters q, int tensorCount, string path)
    {
        if (q.Min.Count != q.Max.Count)
        {
            throw Invalid(path + ".max", $"{q.Min.Count} min values but {q.Max.Count} max values");
        }
        if (q.ZeroPoint.Count != q.Scale.Count && q.ZeroPoint.Count != 0)
        {
            throw Invalid(path + ".zero_point", $"{q.ZeroPoint.Count} zero points for {q.Scale.Count} scales");
        }
        if (q.QuantizedDimension < 0)
        {
            throw Invalid(path + ".quantized_dimension", $"quantized dimension {q.QuantizedDimension} is negative");
        }
        int min = q.Min.Count == 0 ? 0 : FloatVector(q.Min);
        int max = q.Max.Count == 0 ? 0 : FloatVector(q.Max);
        int scale = q.Scale.Count == 0 ? 0 : FloatVector(q.Scale);
        int zeroPoint = q.ZeroPoint.Count == 0 ? 0 : LongVector(q.ZeroPoint);
        (byte detailsType, int details) = EncodeQuantizationDetails(q.Details, tensorCount, path + ".details");

        _b.StartTable(7);
        _b.AddOffset(QuantizationField.Min, min, 0);
        _b.AddOffset(QuantizationField.Max, max, 0);
        _b.AddOffset(QuantizationField.Scale, scale, 0);
        _b.AddOffset(QuantizationField.ZeroPoint, zeroPoint, 0);
        _b.AddOffset(QuantizationField.Details, details, 0);
        _b.AddInt(QuantizationField.QuantizedDimension, q.QuantizedDimension, 0);
        _b.AddByte(QuantizationField.DetailsType, detailsType, 0);
        return _b.EndTable();
    }

    private (byte Type, int Offset) EncodeQuantizationDetails(QuantizationDetails? details, int tensorCount, string path)
    {
        switch (details)
        {
            case null:
                return (0, 0);
            case CustomQuantization custom:
            {
                // custom:[ubyte] (force_align: 16)
                int bytes = custom.Data.IsEmpty ? 0 : ByteVector(custom.Data, 16);
                _b.StartTable(1);
                _b.AddOffset(0, bytes, 0);
                return (QuantizationField.CustomQuantization, _b.EndTable());
            }
            case BlockwiseQuantization block:
                CheckQuantizationTensor(block.ScalesTensor, tensorCount, path + ".scales", allowNone: false);
                CheckQuantizationTensor(block.ZeroPointsTensor, tensorCount, path + ".zero_points", allowNone: true);
                _b.StartTable(3);
                _b.AddInt(BlockQuantizationField.Scales, block.ScalesTensor, 0);
                _b.AddInt(BlockQuantizationField.ZeroPoints, block.ZeroPointsTensor, 0);
                _b.AddInt(BlockQuantizationField.BlockSize, block.BlockSize, 0);
                return (QuantizationField.BlockwiseQuantization, _b.EndTable());
            case MultiAxisQuantization multi:
            {
                CheckQuantizationTensor(multi.ScalesTensor, tensorCount, path + ".scales", allowNone: false);
                CheckQuantizationTensor(multi.ZeroPointsTensor, tensorCount, path + ".zero_points", allowNone: true);
                int dims = IntVector(multi.QuantizedDimensions);
                _b.StartTable(4);
                _b.AddInt(BlockQuantizationField.Scales, multi.ScalesTensor, 0);
                _b.AddInt(BlockQuantizationField.ZeroPoints, multi.ZeroPointsTensor, 0);
                _b.AddInt(BlockQuantizationField.BlockSize, multi.BlockSize, 0);
                _b.AddOffset(BlockQuantizationField.QuantizedDimensions, dims, 0);
                return (QuantizationField.MultiAxisQuantization, _b.EndTable());
            }
            case UnknownQuantizationDetails unknown:
                if (unknown.TypeCode == 0)
                {
                    throw Invalid(path, "unknown quantization details with type code 0 (NONE)");
                }
                // The layout of a newer schema's table is not known: an empty table keeps the tag.
                _b.StartTable(0);
                return (unknown.TypeCode, _b.EndTable());
            default:
                throw Invalid(path, $"quantization details of type {details.GetType().Name} cannot be written");
        }
    }

    private static void CheckQuantizationTensor(int index, int tensorCount, string path, bool allowNone)
    {
        if ((uint)index >= (uint)tensorCount && !(allowNone && index == -1))
        {
            throw Invalid(path, $"tensor index {index} out of range (the subgraph has {tensorCount} tensors)");
        }
    }

    // ---- operators --------------------------------------------------------------------------

    private int EncodeOperator(Operator op, int tensorCount, string path)
    {
        if (op.OpcodeIndex >= (uint)_model.OperatorCodes.Count)
        {
            throw Invalid(path + ".opcode_index",
                $"opcode index {op.OpcodeIndex} out of range (the model has {_model.OperatorCodes.Count} operator codes)");
        }
        int inputs = TensorIndexVector(op.Inputs, tensorCount, path + ".inputs", allowOmitted: true);
        int outputs = TensorIndexVector(op.Outputs, tensorCount, path + ".outputs", allowOmitted: false);
        int intermediates = op.Intermediates.Count == 0 ? 0
            : TensorIndexVector(op.Intermediates, tensorCount, path + ".intermediates", allowOmitted: false);
        int options = EncodeOptions(op.OptionsType, op.Options, path + ".builtin_options");
        int options2 = EncodeOptions2(op.Options2Type, op.Options2, path + ".builtin_options_2");
        int custom = op.CustomOptions.IsEmpty ? 0 : ByteVector(op.CustomOptions, 1);

        _b.StartTable(13);
        _b.AddUint(OperatorField.OpcodeIndex, op.OpcodeIndex, 0);
        _b.AddOffset(OperatorField.Inputs, inputs, 0);
        _b.AddOffset(OperatorField.Outputs, outputs, 0);
        _b.AddOffset(OperatorField.BuiltinOptions, options, 0);
        _b.AddOffset(OperatorField.CustomOptions, custom, 0);
        _b.AddOffset(OperatorField.Intermediates, intermediates, 0);
        _b.AddOffset(OperatorField.BuiltinOptions2, options2, 0);
        _b.AddByte(OperatorField.BuiltinOptionsType, (byte)op.OptionsType, 0);
        _b.AddByte(OperatorField.CustomOptionsFormat, (byte)op.CustomOptionsFormat, 0);
        _b.AddByte(OperatorField.BuiltinOptions2Type, (byte)op.Options2Type, 0);
        return _b.EndTable();
    }

    // ---- model-level tables -------------------------------------------------------------------

    private int EncodeMetadata()
    {
        IReadOnlyList<MetadataEntry> entries = _model.Metadata;
        if (entries.Count == 0)
        {
            return 0;
        }
        var offsets = new int[entries.Count];
        for (int i = 0; i < offsets.Length; i++)
        {
            MetadataEntry entry = entries[i];
            if (entry.BufferIndex >= (uint)_bufferCount)
            {
                throw Invalid($"metadata[{i}].buffer", $"buffer index {entry.BufferIndex} out of range (the model has {_bufferCount} buffers)");
            }
            int name = _b.CreateString(entry.Name ?? string.Empty).Value;
            _b.StartTable(2);
            _b.AddOffset(MetadataField.Name, name, 0);
            _b.AddUint(MetadataField.Buffer, entry.BufferIndex, 0);
            offsets[i] = _b.EndTable();
        }
        return OffsetVector(offsets);
    }

    private int EncodeSignatureDefs()
    {
        IReadOnlyList<SignatureDef> signatures = _model.SignatureDefs;
        if (signatures.Count == 0)
        {
            return 0;
        }
        var offsets = new int[signatures.Count];
        for (int i = 0; i < offsets.Length; i++)
        {
            SignatureDef signature = signatures[i];
            string path = $"signature_defs[{i}]";
            if (signature.SubgraphIndex >= (uint)_model.Subgraphs.Count)
            {
                throw Invalid(path + ".subgraph_index",
                    $"subgraph index {signature.SubgraphIndex} out of range (the model has {_model.Subgraphs.Count} subgraphs)");
            }
            int tensorCount = _model.Subgraphs[(int)signature.SubgraphIndex].Tensors.Count;
            int inputs = EncodeTensorMaps(signature.Inputs, tensorCount, path + ".inputs");
            int outputs = EncodeTensorMaps(signature.Outputs, tensorCount, path + ".outputs");
            int key = _b.CreateString(signature.SignatureKey ?? string.Empty).Value;
            _b.StartTable(5);
            _b.AddOffset(SignatureDefField.Inputs, inputs, 0);
            _b.AddOffset(SignatureDefField.Outputs, outputs, 0);
            _b.AddOffset(SignatureDefField.SignatureKey, key, 0);
            _b.AddUint(SignatureDefField.SubgraphIndex, signature.SubgraphIndex, 0);
            offsets[i] = _b.EndTable();
        }
        return OffsetVector(offsets);
    }

    private int EncodeTensorMaps(IReadOnlyList<SignatureTensor> maps, int tensorCount, string path)
    {
        var offsets = new int[maps.Count];
        for (int i = 0; i < offsets.Length; i++)
        {
            SignatureTensor map = maps[i];
            if (map.TensorIndex >= (uint)tensorCount)
            {
                throw Invalid($"{path}[{i}].tensor_index",
                    $"tensor index {map.TensorIndex} out of range (the signature's subgraph has {tensorCount} tensors)");
            }
            int name = _b.CreateString(map.Name ?? string.Empty).Value;
            _b.StartTable(2);
            _b.AddOffset(TensorMapField.Name, name, 0);
            _b.AddUint(TensorMapField.TensorIndex, map.TensorIndex, 0);
            offsets[i] = _b.EndTable();
        }
        return OffsetVector(offsets);
    }

    // ---- vectors ------------------------------------------------------------------------------

    /// <summary>A vector of tensor indices, each checked against the subgraph (-1, an omitted optional
    /// operand, only where <paramref name="allowOmitted"/>).</summary>
    private int TensorIndexVector(IReadOnlyList<int> indices, int tensorCount, string path, bool allowOmitted)
    {
        for (int j = 0; j < indices.Count; j++)
        {
            int index = indices[j];
            if ((uint)index >= (uint)tensorCount && !(allowOmitted && index == -1))
            {
                throw Invalid($"{path}[{j}]", $"tensor index {index} out of range (the subgraph has {tensorCount} tensors)");
            }
        }
        return IntVector(indices);
    }

    // Scalar vectors are copied as one block (Add of an array), not element by element: per-channel
    // quantisation of a large model holds tens of thousands of scales.

    private int IntVector(IReadOnlyList<int> values) => ScalarVector(values as int[] ?? [.. values], sizeof(int));

    private int FloatVector(IReadOnlyList<float> values) => ScalarVector(values as float[] ?? [.. values], sizeof(float));

    private int LongVector(IReadOnlyList<long> values) => ScalarVector(values as long[] ?? [.. values], sizeof(long));

    private int ScalarVector<T>(T[] values, int size) where T : struct
    {
        _b.StartVector(size, values.Length, size);
        _b.Add(values);
        return _b.EndVector().Value;
    }

    private int OffsetVector(int[] offsets)
    {
        _b.StartVector(sizeof(int), offsets.Length, sizeof(int));
        for (int i = offsets.Length - 1; i >= 0; i--)
        {
            _b.AddOffset(offsets[i]);
        }
        return _b.EndVector().Value;
    }

    /// <summary>A <c>[ubyte]</c> vector whose first byte is aligned to <paramref name="alignment"/> bytes
    /// from the start of the finished file (the builder pads the file to its largest alignment).</summary>
    private int ByteVector(ReadOnlyMemory<byte> data, int alignment)
    {
        ArraySegment<byte> segment = MemoryMarshal.TryGetArray(data, out ArraySegment<byte> s) ? s : new ArraySegment<byte>(data.ToArray());
        _b.StartVector(1, segment.Count, alignment);
        _b.Add(segment);
        return _b.EndVector().Value;
    }

    private static ArgumentException Invalid(string path, string reason) =>
        new($"cannot write the model: {reason} at {path}");
}
