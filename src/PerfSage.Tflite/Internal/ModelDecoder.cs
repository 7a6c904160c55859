namespace PerfSage.Tflite.Internal;

/// <summary>
/// Decodes and validates a TFLite <c>Model</c> in one pass. Structure becomes small objects; tensor
/// data and custom options stay slices of the caller's memory. Every index is checked against what it
/// refers to before the model is returned: tensor indices against the subgraph's tensors, buffer indices
/// against <c>buffers</c>, opcode indices against <c>operator_codes</c>, subgraph indices (control flow,
/// signatures) against <c>subgraphs</c>.
/// </summary>
internal ref partial struct ModelDecoder
{
    /// <summary>Bytes 4..8 of every TFLite file. All 332 real models of the test inventory carry it,
    /// so a file without it is rejected rather than guessed at.</summary>
    internal static ReadOnlySpan<byte> FileIdentifier => "TFL3"u8;

    private FlatBufferReader _r;
    private readonly ReadOnlyMemory<byte> _memory;
    private int _bufferCount;
    private int _opcodeCount;
    private int _subgraphCount;
    private int _tensorCount; // of the subgraph being decoded
    private HashSet<uint>? _externalBufferIds;

    private ModelDecoder(ReadOnlyMemory<byte> memory, string sourceName)
    {
        _memory = memory;
        _r = new FlatBufferReader(memory.Span, sourceName);
    }

    public static TfliteModel Decode(ReadOnlyMemory<byte> memory, string sourceName)
    {
        var decoder = new ModelDecoder(memory, sourceName);
        return decoder.DecodeModel(sourceName);
    }

    private TfliteModel DecodeModel(string sourceName)
    {
        TableRef model = _r.OpenRoot(FileIdentifier);

        uint version = _r.GetUInt32(model, ModelField.Version, 0, "version");
        if (version is not (2 or 3))
        {
            _r.Fail("version", -1, _r.FieldPosition(model, ModelField.Version, 4, "version"),
                $"schema version {version} is not supported (expected 3)");
        }

        // Order matters: what later tables index into is decoded (or counted) first.
        TfliteBuffer[] buffers = DecodeBuffers(model);
        _bufferCount = buffers.Length;
        DecodeExternalBuffers(model);
        OperatorCode[] codes = DecodeOperatorCodes(model);
        _opcodeCount = codes.Length;

        Subgraph[] subgraphs = [];
        if (_r.TryGetVector(model, ModelField.Subgraphs, 4, "subgraphs", out VectorRef subgraphVector))
        {
            _subgraphCount = subgraphVector.Count;
            subgraphs = new Subgraph[subgraphVector.Count];
            _r.Path.Push("subgraphs", 0);
            for (int i = 0; i < subgraphs.Length; i++)
            {
                _r.Path.SetIndex(i);
                subgraphs[i] = DecodeSubgraph(_r.TableAt(subgraphVector, i));
            }
            _r.Path.Pop();
        }

        string? description = _r.GetString(model, ModelField.Description, "description");
        MetadataEntry[] metadata = DecodeMetadata(model);
        CheckMetadataBuffer(model);
        long? weightlessBytes = WeightlessModel.Read(sourceName, metadata, buffers);
        SignatureDef[] signatures = DecodeSignatureDefs(model, subgraphs);

        return new TfliteModel
        {
            Bytes = _memory,
            SourceName = sourceName,
            Version = version,
            Description = description,
            OperatorCodes = codes,
            Subgraphs = subgraphs,
            Buffers = buffers,
            SignatureDefs = signatures,
            Metadata = metadata,
            WeightlessFileBytes = weightlessBytes,
        };
    }

    // ---- buffers ----------------------------------------------------------------------------

    private TfliteBuffer[] DecodeBuffers(in TableRef model)
    {
        if (!_r.TryGetVector(model, ModelField.Buffers, 4, "buffers", out VectorRef vector) || vector.Count == 0)
        {
            return [];
        }
        var buffers = new TfliteBuffer[vector.Count];
        _r.Path.Push("buffers", 0);
        for (int i = 0; i < buffers.Length; i++)
        {
            _r.Path.SetIndex(i);
            TableRef buffer = _r.TableAt(vector, i);
            ReadOnlyMemory<byte> data = ReadOnlyMemory<byte>.Empty;
            bool hasInline = _r.TryGetVector(buffer, BufferField.Data, 1, "data", out VectorRef dataVector) && dataVector.Count > 0;
            if (hasInline)
            {
                data = _memory.Slice(dataVector.Start, dataVector.Count);
            }
            ulong offset = _r.GetUInt64(buffer, BufferField.Offset, 0, "offset");
            ulong size = _r.GetUInt64(buffer, BufferField.Size, 0, "size");
            // offset/size (schema 3c) place the data after the flatbuffer, in the same file;
            // the schema calls the offset valid only when > 1.
            if (offset > 1)
            {
                if (hasInline)
                {
                    _r.Fail("offset", -1, _r.FieldPosition(buffer, BufferField.Offset, 8, "offset"),
                        "buffer has both inline data and an offset to data outside the flatbuffer");
                }
                data = OutsideRegion(buffer, BufferField.Offset, offset, size, "offset");
            }
            else if (size != 0)
            {
                _r.Fail("size", -1, _r.FieldPosition(buffer, BufferField.Size, 8, "size"),
                    $"buffer size {size} is given without an offset (> 1) to the data");
            }
            buffers[i] = new TfliteBuffer(data, offset, size);
        }
        _r.Path.Pop();
        return buffers;
    }

    /// <summary>The file region <c>[offset, offset + size)</c> after checking that it lies in the file.</summary>
    private ReadOnlyMemory<byte> OutsideRegion(in TableRef table, int offsetField, ulong offset, ulong size, string leaf)
    {
        ulong length = (ulong)_r.Length;
        if (offset > length || size > length - offset)
        {
            _r.Fail(leaf, -1, _r.FieldPosition(table, offsetField, 8, leaf),
                $"data at [{offset}, {offset}+{size}) lie outside the {length}-byte file");
        }
        return _memory.Slice((int)offset, (int)size);
    }

    private void DecodeExternalBuffers(in TableRef model)
    {
        int groupCount = 0;
        if (_r.TryGetVector(model, ModelField.ExternalBufferGroups, 4, "external_buffer_groups", out VectorRef groups))
        {
            groupCount = groups.Count;
            _r.Path.Push("external_buffer_groups", 0);
            for (int i = 0; i < groups.Count; i++)
            {
                _r.Path.SetIndex(i);
                TableRef group = _r.TableAt(groups, i);
                _ = _r.GetString(group, ExternalBufferField.GroupName, "name");
            }
            _r.Path.Pop();
        }
        if (!_r.TryGetVector(model, ModelField.ExternalBuffers, 4, "external_buffers", out VectorRef vector))
        {
            return;
        }
        _externalBufferIds = new HashSet<uint>(vector.Count);
        _r.Path.Push("external_buffers", 0);
        for (int i = 0; i < vector.Count; i++)
        {
            _r.Path.SetIndex(i);
            TableRef buffer = _r.TableAt(vector, i);
            _externalBufferIds.Add(_r.GetUInt32(buffer, ExternalBufferField.Id, 0, "id"));
            uint group = _r.GetUInt32(buffer, ExternalBufferField.Group, 0, "group");
            if (group >= groupCount)
            {
                _r.Fail("group", -1, _r.FieldPosition(buffer, ExternalBufferField.Group, 4, "group"),
                    $"external buffer group {group} out of range (the model has {groupCount})");
            }
            _ = _r.GetUInt64(buffer, ExternalBufferField.Offset, 0, "offset");
            _ = _r.GetUInt64(buffer, ExternalBufferField.Length, 0, "length");
            _ = _r.GetString(buffer, ExternalBufferField.Packing, "packing");
        }
        _r.Path.Pop();
    }

    // ---- operator codes -------------------------------------------------------------------

    private OperatorCode[] DecodeOperatorCodes(in TableRef model)
    {
        if (!_r.TryGetVector(model, ModelField.OperatorCodes, 4, "operator_codes", out VectorRef vector) || vector.Count == 0)
        {
            return [];
        }
        var codes = new OperatorCode[vector.Count];
        _r.Path.Push("operator_codes", 0);
        for (int i = 0; i < codes.Length; i++)
        {
            _r.Path.SetIndex(i);
            TableRef table = _r.TableAt(vector, i);
            sbyte deprecated = _r.GetSByte(table, OperatorCodeField.DeprecatedBuiltinCode, 0, "deprecated_builtin_code");
            string? custom = _r.GetString(table, OperatorCodeField.CustomCode, "custom_code");
            int version = _r.GetInt32(table, OperatorCodeField.Version, 1, "version");
            int builtin = _r.GetInt32(table, OperatorCodeField.BuiltinCode, 0, "builtin_code");
            // Older writers set only the byte-sized deprecated code (the int32 code then reads as 0, ADD);
            // newer ones set both, with 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) in the byte for codes >= 127.
            int code = Math.Max(deprecated, builtin);
            if (code < 0)
            {
                _r.Fail("builtin_code", -1, _r.FieldPosition(table, OperatorCodeField.BuiltinCode, 4, "builtin_code"),
                    $"operator code {code} is negative");
            }
            if (code == (int)BuiltinOperator.CUSTOM && custom is null)
            {
                _r.Fail("custom_code", -1, table.Position, "CUSTOM operator code without a custom_code");
            }
            if (version < 1)
            {
                _r.Fail("version", -1, _r.FieldPosition(table, OperatorCodeField.Version, 4, "version"),
                    $"operator version {version} is below 1");
            }
            codes[i] = new OperatorCode(code, custom, version);
        }
        _r.Path.Pop();
        return codes;
    }

    // ---- subgraphs --------------------------------------------------------------------------

    private Subgraph DecodeSubgraph(in TableRef subgraph)
    {
        Tensor[] tensors = [];
        _tensorCount = 0;
        if (_r.TryGetVector(subgraph, SubGraphField.Tensors, 4, "tensors", out VectorRef tensorVector))
        {
            _tensorCount = tensorVector.Count;
            tensors = new Tensor[tensorVector.Count];
            _r.Path.Push("tensors", 0);
            for (int i = 0; i < tensors.Length; i++)
            {
                _r.Path.SetIndex(i);
                tensors[i] = DecodeTensor(_r.TableAt(tensorVector, i));
            }
            _r.Path.Pop();
        }

        int[] inputs = TensorIndices(subgraph, SubGraphField.Inputs, "inputs", allowOmitted: false);
        int[] outputs = TensorIndices(subgraph, SubGraphField.Outputs, "outputs", allowOmitted: false);

        Operator[] operators = [];
        if (_r.TryGetVector(subgraph, SubGraphField.Operators, 4, "operators", out VectorRef operatorVector))
        {
            operators = new Operator[operatorVector.Count];
            _r.Path.Push("operators", 0);
            for (int i = 0; i < operators.Length; i++)
            {
                _r.Path.SetIndex(i);
                operators[i] = DecodeOperator(_r.TableAt(operatorVector, i));
            }
            _r.Path.Pop();
        }

        return new Subgraph
        {
            Name = _r.GetString(subgraph, SubGraphField.Name, "name"),
            Tensors = tensors,
            Operators = operators,
            Inputs = inputs,
            Outputs = outputs,
        };
    }

    /// <summary>An int vector of tensor indices of the current subgraph, each checked to be in range
    /// (or -1, an omitted optional operand, where <paramref name="allowOmitted"/>).</summary>
    private int[] TensorIndices(in TableRef table, int id, string leaf, bool allowOmitted)
    {
        if (!_r.TryGetVector(table, id, 4, leaf, out VectorRef vector))
        {
            return [];
        }
        int[] indices = _r.ToInt32Array(vector);
        for (int j = 0; j < indices.Length; j++)
        {
            int index = indices[j];
            if ((uint)index >= (uint)_tensorCount && !(allowOmitted && index == -1))
            {
                _r.Fail(leaf, j, vector.ElementPosition(j),
                    $"tensor index {index} out of range (the subgraph has {_tensorCount} tensors)");
            }
        }
        return indices;
    }

    // ---- tensors ----------------------------------------------------------------------------

    private Tensor DecodeTensor(in TableRef tensor)
    {
        int[] shape = [];
        if (_r.TryGetVector(tensor, TensorField.Shape, 4, "shape", out VectorRef shapeVector))
        {
            shape = _r.ToInt32Array(shapeVector);
        }
        bool hasSignature = _r.TryGetVector(tensor, TensorField.ShapeSignature, 4, "shape_signature", out VectorRef signatureVector);
        int[]? signature = hasSignature ? _r.ToInt32Array(signatureVector) : null;
        if (signature is not null)
        {
            CheckSignature(shape, signature, signatureVector);
            if (signature.Length == 0 && shape.Length > 0)
            {
                signature = null; // an empty signature on a ranked tensor says nothing
            }
        }
        CheckShape(shapeVector, shape, signature);

        var type = (TensorType)_r.GetByte(tensor, TensorField.Type, 0, "type");

        uint buffer = _r.GetUInt32(tensor, TensorField.Buffer, 0, "buffer");
        if (buffer >= (uint)_bufferCount)
        {
            _r.Fail("buffer", -1, _r.FieldPosition(tensor, TensorField.Buffer, 4, "buffer"),
                $"buffer index {buffer} out of range (the model has {_bufferCount} buffers)");
        }

        string name = _r.GetString(tensor, TensorField.Name, "name") ?? string.Empty;

        QuantizationParameters? quantization = null;
        if (_r.TryGetTable(tensor, TensorField.Quantization, "quantization", out TableRef quantTable))
        {
            _r.Path.Push("quantization");
            quantization = DecodeQuantization(quantTable);
            _r.Path.Pop();
        }

        bool isSparse = false;
        if (_r.TryGetTable(tensor, TensorField.Sparsity, "sparsity", out TableRef sparsity))
        {
            _r.Path.Push("sparsity");
            CheckSparsity(sparsity);
            _r.Path.Pop();
            isSparse = true;
        }

        if (_r.TryGetVector(tensor, TensorField.VariantTensors, 4, "variant_tensors", out VectorRef variants))
        {
            _r.Path.Push("variant_tensors", 0);
            for (int i = 0; i < variants.Count; i++)
            {
                _r.Path.SetIndex(i);
                TableRef variant = _r.TableAt(variants, i);
                _ = _r.GetInt32Array(variant, VariantSubTypeField.Shape, "shape");
                _ = _r.GetByte(variant, VariantSubTypeField.Type, 0, "type");
                _ = _r.GetBool(variant, VariantSubTypeField.HasRank, false, "has_rank");
            }
            _r.Path.Pop();
        }

        uint externalBuffer = _r.GetUInt32(tensor, TensorField.ExternalBuffer, 0, "external_buffer");
        if (externalBuffer != 0 && (_externalBufferIds is null || !_externalBufferIds.Contains(externalBuffer)))
        {
            _r.Fail("external_buffer", -1, _r.FieldPosition(tensor, TensorField.ExternalBuffer, 4, "external_buffer"),
                $"external buffer id {externalBuffer} is not in the model's external_buffers");
        }

        return new Tensor
        {
            Name = name,
            Shape = shape,
            ShapeSignature = signature,
            Type = type,
            Buffer = buffer,
            Quantization = quantization,
            IsVariable = _r.GetBool(tensor, TensorField.IsVariable, false, "is_variable"),
            IsSparse = isSparse,
            HasRank = _r.GetBool(tensor, TensorField.HasRank, false, "has_rank"),
            ExternalBuffer = externalBuffer,
        };
    }

    /// <summary>A signature has the shape's rank (or is empty) and holds sizes or -1 (dynamic).</summary>
    private readonly void CheckSignature(int[] shape, int[] signature, in VectorRef vector)
    {
        if (signature.Length != 0 && signature.Length != shape.Length)
        {
            _r.Fail("shape_signature", -1, vector.LengthPosition,
                $"shape_signature has rank {signature.Length} but shape has rank {shape.Length}");
        }
        for (int i = 0; i < signature.Length; i++)
        {
            if (signature[i] < -1)
            {
                _r.Fail("shape_signature", i, vector.ElementPosition(i), $"dimension {signature[i]} is negative and not -1 (dynamic)");
            }
        }
    }

    /// <summary>Shape dimensions are sizes; -1 is accepted only where the signature marks the dimension
    /// dynamic, or where there is no signature (old LSTM models write [-1] for an absent weight).
    /// Where the signature gives a size, the shape must equal it.</summary>
    private readonly void CheckShape(in VectorRef vector, int[] shape, int[]? signature)
    {
        for (int i = 0; i < shape.Length; i++)
        {
            int dim = shape[i];
            int signed = signature is null ? -1 : signature[i];
            if (dim < -1 || (dim == -1 && signed != -1) || (signed >= 0 && dim != signed))
            {
                _r.Fail("shape", i, vector.ElementPosition(i), signature is null
                    ? $"dimension {dim} is negative"
                    : $"dimension {dim} contradicts shape_signature dimension {signed}");
            }
        }
        // Bound the product of the dimensions (a dynamic -1 or an empty 0 counts as 1, so that no product of some
        // of the dimensions, as the cost formulas take, can exceed it either).
        long elements = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            elements *= Math.Max(shape[i], 1); // ≤ MaxTensorElements · (2^31 − 1): no overflow
            if (elements > Limits.MaxTensorElements)
            {
                _r.Fail("shape", -1, vector.LengthPosition,
                    $"shape [{string.Join(',', shape)}] has more than {Limits.MaxTensorElements:N0} elements, " +
                    "more than a TFLite runtime can index (32-bit sizes)");
            }
        }
    }

    private QuantizationParameters? DecodeQuantization(in TableRef table)
    {
        float[] min = _r.GetFloatArray(table, QuantizationField.Min, "min");
        float[] max = _r.GetFloatArray(table, QuantizationField.Max, "max");
        float[] scale = _r.GetFloatArray(table, QuantizationField.Scale, "scale");
        long[] zeroPoint = _r.GetInt64Array(table, QuantizationField.ZeroPoint, "zero_point");
        int dimension = _r.GetInt32(table, QuantizationField.QuantizedDimension, 0, "quantized_dimension");

        if (min.Length != max.Length)
        {
            _r.Fail("max", -1, table.Position, $"{min.Length} min values but {max.Length} max values");
        }
        if (scale.Length > 0)
        {
            CheckScales(table, scale);
        }
        if (zeroPoint.Length != scale.Length && !(zeroPoint.Length == 0 && scale.Length > 0))
        {
            _r.Fail("zero_point", -1, table.Position, $"{zeroPoint.Length} zero points for {scale.Length} scales");
        }
        for (int i = 0; i < zeroPoint.Length; i++)
        {
            // The TFLite runtime holds zero points as int (TfLiteAffineQuantization.zero_point is a TfLiteIntArray), so a
            // model whose zero point does not fit in 32 bits cannot be loaded by it.
            if (zeroPoint[i] is < int.MinValue or > int.MaxValue)
            {
                _r.TryGetVector(table, QuantizationField.ZeroPoint, 8, "zero_point", out VectorRef vector);
                _r.Fail("zero_point", i, vector.ElementPosition(i), string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"zero point {zeroPoint[i]} does not fit in the 32 bits the TFLite runtime holds it in"));
            }
        }
        if (dimension < 0)
        {
            _r.Fail("quantized_dimension", -1, _r.FieldPosition(table, QuantizationField.QuantizedDimension, 4, "quantized_dimension"),
                $"quantized dimension {dimension} is negative");
        }

        QuantizationDetails? details = DecodeQuantizationDetails(table);
        if (min.Length == 0 && scale.Length == 0 && zeroPoint.Length == 0 && details is null)
        {
            return null;
        }
        return new QuantizationParameters(scale, zeroPoint, dimension, min, max) { Details = details };
    }

    /// <summary>Scales are finite and not negative: real = scale · (q − zero_point) needs a finite positive scale
    /// (TFLite's quantization spec); 0 is accepted, the value converters write for a tensor that is not quantized
    /// (<c>Tensor.QuantizationParams</c> of the TFLite API: "for tensor that are not quantized, the values of scale and
    /// zero_point are both 0").</summary>
    private void CheckScales(in TableRef table, float[] scale)
    {
        for (int i = 0; i < scale.Length; i++)
        {
            float value = scale[i];
            if (!float.IsFinite(value) || value < 0)
            {
                _r.TryGetVector(table, QuantizationField.Scale, 4, "scale", out VectorRef vector);
                _r.Fail("scale", i, vector.ElementPosition(i), string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"quantization scale {value} is not a finite non-negative number"));
            }
        }
    }

    private QuantizationDetails? DecodeQuantizationDetails(in TableRef table)
    {
        byte type = _r.GetByte(table, QuantizationField.DetailsType, 0, "details_type");
        bool hasTable = _r.TryGetTable(table, QuantizationField.Details, "details", out TableRef details);
        if (type == 0)
        {
            if (hasTable)
            {
                _r.Fail("details", -1, details.Position, "details table present but details_type is NONE");
            }
            return null;
        }
        if (!hasTable)
        {
            return null;
        }
        _r.Path.Push("details");
        QuantizationDetails result;
        switch (type)
        {
            case QuantizationField.CustomQuantization:
                result = new CustomQuantization(
                    _r.TryGetVector(details, 0, 1, "custom", out VectorRef custom)
                        ? _memory.Slice(custom.Start, custom.Count)
                        : ReadOnlyMemory<byte>.Empty);
                break;
            case QuantizationField.BlockwiseQuantization:
                result = new BlockwiseQuantization(
                    QuantizationTensor(details, BlockQuantizationField.Scales, "scales", allowNone: false),
                    QuantizationTensor(details, BlockQuantizationField.ZeroPoints, "zero_points", allowNone: true),
                    _r.GetInt32(details, BlockQuantizationField.BlockSize, 0, "block_size"));
                break;
            case QuantizationField.MultiAxisQuantization:
                result = new MultiAxisQuantization(
                    QuantizationTensor(details, BlockQuantizationField.Scales, "scales", allowNone: false),
                    QuantizationTensor(details, BlockQuantizationField.ZeroPoints, "zero_points", allowNone: true),
                    _r.GetInt32(details, BlockQuantizationField.BlockSize, 0, "block_size"),
                    _r.GetInt32Array(details, BlockQuantizationField.QuantizedDimensions, "quantized_dimensions"));
                break;
            default:
                result = new UnknownQuantizationDetails(type);
                break;
        }
        _r.Path.Pop();
        return result;
    }

    private readonly int QuantizationTensor(in TableRef table, int id, string leaf, bool allowNone)
    {
        int index = _r.GetInt32(table, id, 0, leaf);
        if ((uint)index >= (uint)_tensorCount && !(allowNone && index == -1))
        {
            _r.Fail(leaf, -1, _r.FieldPosition(table, id, 4, leaf),
                $"tensor index {index} out of range (the subgraph has {_tensorCount} tensors)");
        }
        return index;
    }

    /// <summary>Sparsity parameters are not exposed (only <see cref="Tensor.IsSparse"/>), but their layout is checked.</summary>
    private void CheckSparsity(in TableRef table)
    {
        int[] order = _r.GetInt32Array(table, SparsityField.TraversalOrder, "traversal_order");
        _ = _r.GetInt32Array(table, SparsityField.BlockMap, "block_map");
        if (!_r.TryGetVector(table, SparsityField.DimMetadata, 4, "dim_metadata", out VectorRef dims))
        {
            return;
        }
        if (dims.Count != order.Length)
        {
            _r.Fail("dim_metadata", -1, dims.LengthPosition,
                $"{dims.Count} dimension entries for a traversal order of {order.Length}");
        }
        _r.Path.Push("dim_metadata", 0);
        for (int i = 0; i < dims.Count; i++)
        {
            _r.Path.SetIndex(i);
            TableRef dim = _r.TableAt(dims, i);
            byte format = _r.GetByte(dim, SparsityField.Format, 0, "format");
            if (format > 1)
            {
                _r.Fail("format", -1, _r.FieldPosition(dim, SparsityField.Format, 1, "format"), $"unknown dimension format {format}");
            }
            _ = _r.GetInt32(dim, SparsityField.DenseSize, 0, "dense_size");
            CheckSparseIndexVector(dim, SparsityField.ArraySegmentsType, SparsityField.ArraySegments, "array_segments");
            CheckSparseIndexVector(dim, SparsityField.ArrayIndicesType, SparsityField.ArrayIndices, "array_indices");
        }
        _r.Path.Pop();
    }

    private void CheckSparseIndexVector(in TableRef dim, int typeId, int valueId, string leaf)
    {
        byte type = _r.GetByte(dim, typeId, 0, leaf + "_type");
        if (!_r.TryGetTable(dim, valueId, leaf, out TableRef values))
        {
            return;
        }
        int elementSize = type switch { 1 => 4, 2 => 2, 3 => 1, _ => 0 };
        if (elementSize == 0)
        {
            _r.Fail(leaf + "_type", -1, values.Position, $"unknown sparse index vector type {type}");
        }
        _r.Path.Push(leaf);
        _ = _r.TryGetVector(values, SparsityField.Values, elementSize, "values", out _);
        _r.Path.Pop();
    }

    // ---- model-level tables -----------------------------------------------------------

    private MetadataEntry[] DecodeMetadata(in TableRef model)
    {
        if (!_r.TryGetVector(model, ModelField.Metadata, 4, "metadata", out VectorRef vector) || vector.Count == 0)
        {
            return [];
        }
        var entries = new MetadataEntry[vector.Count];
        _r.Path.Push("metadata", 0);
        for (int i = 0; i < entries.Length; i++)
        {
            _r.Path.SetIndex(i);
            TableRef entry = _r.TableAt(vector, i);
            string name = _r.GetString(entry, MetadataField.Name, "name") ?? string.Empty;
            uint buffer = _r.GetUInt32(entry, MetadataField.Buffer, 0, "buffer");
            if (buffer >= (uint)_bufferCount)
            {
                _r.Fail("buffer", -1, _r.FieldPosition(entry, MetadataField.Buffer, 4, "buffer"),
                    $"buffer index {buffer} out of range (the model has {_bufferCount} buffers)");
            }
            entries[i] = new MetadataEntry(name, buffer);
        }
        _r.Path.Pop();
        return entries;
    }

    /// <summary>The deprecated <c>metadata_buffer</c> list: buffer indices, checked but not exposed.</summary>
    private void CheckMetadataBuffer(in TableRef model)
    {
        if (!_r.TryGetVector(model, ModelField.MetadataBuffer, 4, "metadata_buffer", out VectorRef vector))
        {
            return;
        }
        for (int i = 0; i < vector.Count; i++)
        {
            int buffer = _r.Int32At(vector, i);
            if ((uint)buffer >= (uint)_bufferCount)
            {
                _r.Fail("metadata_buffer", i, vector.ElementPosition(i),
                    $"buffer index {buffer} out of range (the model has {_bufferCount} buffers)");
            }
        }
    }

    private SignatureDef[] DecodeSignatureDefs(in TableRef model, Subgraph[] subgraphs)
    {
        if (!_r.TryGetVector(model, ModelField.SignatureDefs, 4, "signature_defs", out VectorRef vector) || vector.Count == 0)
        {
            return [];
        }
        var signatures = new SignatureDef[vector.Count];
        _r.Path.Push("signature_defs", 0);
        for (int i = 0; i < signatures.Length; i++)
        {
            _r.Path.SetIndex(i);
            TableRef signature = _r.TableAt(vector, i);
            uint subgraph = _r.GetUInt32(signature, SignatureDefField.SubgraphIndex, 0, "subgraph_index");
            if (subgraph >= (uint)subgraphs.Length)
            {
                _r.Fail("subgraph_index", -1, _r.FieldPosition(signature, SignatureDefField.SubgraphIndex, 4, "subgraph_index"),
                    $"subgraph index {subgraph} out of range (the model has {subgraphs.Length} subgraphs)");
            }
            int tensorCount = subgraphs[subgraph].Tensors.Count;
            signatures[i] = new SignatureDef(
                _r.GetString(signature, SignatureDefField.SignatureKey, "signature_key") ?? string.Empty,
                subgraph,
                DecodeTensorMaps(signature, SignatureDefField.Inputs, "inputs", tensorCount),
                DecodeTensorMaps(signature, SignatureDefField.Outputs, "outputs", tensorCount));
        }
        _r.Path.Pop();
        return signatures;
    }

    private SignatureTensor[] DecodeTensorMaps(in TableRef signature, int id, string leaf, int tensorCount)
    {
        if (!_r.TryGetVector(signature, id, 4, leaf, out VectorRef vector) || vector.Count == 0)
        {
            return [];
        }
        var maps = new SignatureTensor[vector.Count];
        _r.Path.Push(leaf, 0);
        for (int i = 0; i < maps.Length; i++)
        {
            _r.Path.SetIndex(i);
            TableRef map = _r.TableAt(vector, i);
            string name = _r.GetString(map, TensorMapField.Name, "name") ?? string.Empty;
            uint tensor = _r.GetUInt32(map, TensorMapField.TensorIndex, 0, "tensor_index");
            if (tensor >= (uint)tensorCount)
            {
                _r.Fail("tensor_index", -1, _r.FieldPosition(map, TensorMapField.TensorIndex, 4, "tensor_index"),
                    $"tensor index {tensor} out of range (the signature's subgraph has {tensorCount} tensors)");
            }
            maps[i] = new SignatureTensor(name, tensor);
        }
        _r.Path.Pop();
        return maps;
    }
}
