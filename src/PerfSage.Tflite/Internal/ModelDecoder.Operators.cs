namespace PerfSage.Tflite.Internal;

/// <summary>Operators and their builtin options (field ids from the official schema; see schemas/tflite.fbs).</summary>
internal ref partial struct ModelDecoder
{
    private Operator DecodeOperator(in TableRef op)
    {
        uint opcodeIndex = _r.GetUInt32(op, OperatorField.OpcodeIndex, 0, "opcode_index");
        if (opcodeIndex >= (uint)_opcodeCount)
        {
            _r.Fail("opcode_index", -1, _r.FieldPosition(op, OperatorField.OpcodeIndex, 4, "opcode_index"),
                $"opcode index {opcodeIndex} out of range (the model has {_opcodeCount} operator codes)");
        }
        int[] inputs = TensorIndices(op, OperatorField.Inputs, "inputs", allowOmitted: true);
        int[] outputs = TensorIndices(op, OperatorField.Outputs, "outputs", allowOmitted: false);
        int[] intermediates = TensorIndices(op, OperatorField.Intermediates, "intermediates", allowOmitted: false);

        var optionsType = (BuiltinOptionsType)_r.GetByte(op, OperatorField.BuiltinOptionsType, 0, "builtin_options_type");
        OperatorOptions? options = null;
        if (_r.TryGetTable(op, OperatorField.BuiltinOptions, "builtin_options", out TableRef optionsTable))
        {
            if (optionsType == BuiltinOptionsType.None)
            {
                _r.Fail("builtin_options", -1, optionsTable.Position, "options table present but builtin_options_type is NONE");
            }
            _r.Path.Push("builtin_options");
            options = DecodeOptions(optionsType, optionsTable);
            _r.Path.Pop();
        }

        var options2Type = (BuiltinOptions2Type)_r.GetByte(op, OperatorField.BuiltinOptions2Type, 0, "builtin_options_2_type");
        OperatorOptions? options2 = null;
        if (_r.TryGetTable(op, OperatorField.BuiltinOptions2, "builtin_options_2", out TableRef options2Table))
        {
            if (options2Type == BuiltinOptions2Type.None)
            {
                _r.Fail("builtin_options_2", -1, options2Table.Position, "options table present but builtin_options_2_type is NONE");
            }
            _r.Path.Push("builtin_options_2");
            options2 = DecodeOptions2(options2Type, options2Table);
            _r.Path.Pop();
        }

        ReadOnlyMemory<byte> custom = ReadOnlyMemory<byte>.Empty;
        bool hasVector = _r.TryGetVector(op, OperatorField.CustomOptions, 1, "custom_options", out VectorRef customVector);
        bool hasInline = hasVector && customVector.Count > 0;
        if (hasInline)
        {
            custom = _memory.Slice(customVector.Start, customVector.Count);
        }
        ulong largeOffset = _r.GetUInt64(op, OperatorField.LargeCustomOptionsOffset, 0, "large_custom_options_offset");
        ulong largeSize = _r.GetUInt64(op, OperatorField.LargeCustomOptionsSize, 0, "large_custom_options_size");
        if (largeOffset > 1)
        {
            if (hasInline)
            {
                _r.Fail("large_custom_options_offset", -1, customVector.LengthPosition,
                    "operator has both inline custom_options and large custom options outside the flatbuffer");
            }
            custom = OutsideRegion(op, OperatorField.LargeCustomOptionsOffset, largeOffset, largeSize, "large_custom_options_offset");
        }
        else if (largeSize != 0)
        {
            _r.Fail("large_custom_options_size", -1, op.Position,
                $"large custom options size {largeSize} is given without an offset (> 1)");
        }

        CheckMutatingVariableInputs(op, inputs.Length);

        return new Operator
        {
            OpcodeIndex = opcodeIndex,
            Inputs = inputs,
            Outputs = outputs,
            Intermediates = intermediates,
            OptionsType = optionsType,
            Options = options,
            Options2Type = options2Type,
            Options2 = options2,
            HasCustomOptions = hasVector || largeOffset > 1,
            CustomOptions = custom,
            CustomOptionsLength = custom.Length,
            CustomOptionsFormat = (CustomOptionsFormat)_r.GetByte(op, OperatorField.CustomOptionsFormat, 0, "custom_options_format"),
        };
    }

    /// <summary>Either empty or one bool per input (schema comment on <c>mutating_variable_inputs</c>).</summary>
    private void CheckMutatingVariableInputs(in TableRef op, int inputCount)
    {
        if (!_r.TryGetVector(op, OperatorField.MutatingVariableInputs, 1, "mutating_variable_inputs", out VectorRef vector)
            || vector.Count == 0)
        {
            return;
        }
        if (vector.Count != inputCount)
        {
            _r.Fail("mutating_variable_inputs", -1, vector.LengthPosition,
                $"{vector.Count} flags for {inputCount} inputs");
        }
        for (int i = 0; i < vector.Count; i++)
        {
            if (_r.ByteAt(vector, i) > 1)
            {
                _r.Fail("mutating_variable_inputs", i, vector.Start + i, $"bool holds {_r.ByteAt(vector, i)}");
            }
        }
    }

    /// <summary>Decodes <c>builtin_options</c> by its union tag. Tags without a record here return null
    /// (their table's layout was checked when it was opened).</summary>
    private OperatorOptions? DecodeOptions(BuiltinOptionsType type, in TableRef t)
    {
        switch (type)
        {
            case BuiltinOptionsType.Conv2DOptions:
                return new Conv2DOptions(PaddingOf(t, 0), Int(t, 1, "stride_w"), Int(t, 2, "stride_h"), Activation(t, 3),
                    Int(t, 4, "dilation_w_factor", 1), Int(t, 5, "dilation_h_factor", 1))
                {
                    QuantizedBiasType = TensorTypeOf(t, 6, "quantized_bias_type"),
                };
            case BuiltinOptionsType.DepthwiseConv2DOptions:
                return new DepthwiseConv2DOptions(PaddingOf(t, 0), Int(t, 1, "stride_w"), Int(t, 2, "stride_h"),
                    Int(t, 3, "depth_multiplier"), Activation(t, 4),
                    Int(t, 5, "dilation_w_factor", 1), Int(t, 6, "dilation_h_factor", 1));
            case BuiltinOptionsType.TransposeConvOptions:
                return new TransposeConvOptions(PaddingOf(t, 0), Int(t, 1, "stride_w"), Int(t, 2, "stride_h"), Activation(t, 3))
                {
                    QuantizedBiasType = TensorTypeOf(t, 4, "quantized_bias_type"),
                };
            case BuiltinOptionsType.Conv3DOptions:
                return new Conv3DOptions(PaddingOf(t, 0), Int(t, 1, "stride_d"), Int(t, 2, "stride_w"), Int(t, 3, "stride_h"),
                    Activation(t, 4), Int(t, 5, "dilation_d_factor", 1), Int(t, 6, "dilation_w_factor", 1),
                    Int(t, 7, "dilation_h_factor", 1));
            case BuiltinOptionsType.Pool2DOptions:
                return new Pool2DOptions(PaddingOf(t, 0), Int(t, 1, "stride_w"), Int(t, 2, "stride_h"),
                    Int(t, 3, "filter_width"), Int(t, 4, "filter_height"), Activation(t, 5));
            case BuiltinOptionsType.FullyConnectedOptions:
                return new FullyConnectedOptions(Activation(t, 0), WeightsFormat(t, 1), Bool(t, 2, "keep_num_dims"),
                    Bool(t, 3, "asymmetric_quantize_inputs"))
                {
                    QuantizedBiasType = TensorTypeOf(t, 4, "quantized_bias_type"),
                };
            case BuiltinOptionsType.AddOptions:
            case BuiltinOptionsType.SubOptions:
                return new ArithmeticOptions(Activation(t, 0), Bool(t, 1, "pot_scale_int16", true));
            case BuiltinOptionsType.MulOptions:
            case BuiltinOptionsType.DivOptions:
                return new ArithmeticOptions(Activation(t, 0));
            case BuiltinOptionsType.ConcatenationOptions:
                return new ConcatenationOptions(Int(t, 0, "axis"), Activation(t, 1));
            case BuiltinOptionsType.ReshapeOptions:
                return new ReshapeOptions(_r.GetInt32Array(t, 0, "new_shape"));
            case BuiltinOptionsType.SoftmaxOptions:
                return new SoftmaxOptions(Float(t, 0, "beta"));
            case BuiltinOptionsType.PadOptions:
            case BuiltinOptionsType.PadV2Options:
                return new PadOptions();
            case BuiltinOptionsType.ReducerOptions:
                return new ReducerOptions(Bool(t, 0, "keep_dims"));
            case BuiltinOptionsType.StridedSliceOptions:
                return new StridedSliceOptions(Int(t, 0, "begin_mask"), Int(t, 1, "end_mask"), Int(t, 2, "ellipsis_mask"),
                    Int(t, 3, "new_axis_mask"), Int(t, 4, "shrink_axis_mask"), Bool(t, 5, "offset"));
            case BuiltinOptionsType.ResizeBilinearOptions:
                // ids 0 and 1 are the deprecated new_height/new_width
                return new ResizeOptions(Bool(t, 2, "align_corners"), Bool(t, 3, "half_pixel_centers"));
            case BuiltinOptionsType.ResizeNearestNeighborOptions:
                return new ResizeOptions(Bool(t, 0, "align_corners"), Bool(t, 1, "half_pixel_centers"));
            case BuiltinOptionsType.SplitOptions:
            case BuiltinOptionsType.SplitVOptions:
                return new SplitOptions(Int(t, 0, "num_splits"));
            case BuiltinOptionsType.GatherOptions:
                return new GatherOptions(Int(t, 0, "axis"), Int(t, 1, "batch_dims"));
            case BuiltinOptionsType.BatchMatMulOptions:
                return new BatchMatMulOptions(Bool(t, 0, "adj_x"), Bool(t, 1, "adj_y"), Bool(t, 2, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.SVDFOptions:
                return new SvdfOptions(Int(t, 0, "rank"), Activation(t, 1), Bool(t, 2, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.LSTMOptions:
                return new LstmOptions(Activation(t, 0), Float(t, 1, "cell_clip"), Float(t, 2, "proj_clip"),
                    KernelType(t, 3), Bool(t, 4, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.UnidirectionalSequenceLSTMOptions:
                return new UnidirectionalSequenceLstmOptions(Activation(t, 0), Float(t, 1, "cell_clip"), Float(t, 2, "proj_clip"),
                    Bool(t, 3, "time_major"), Bool(t, 4, "asymmetric_quantize_inputs"), Bool(t, 5, "diagonal_recurrent_tensors"));
            case BuiltinOptionsType.BidirectionalSequenceLSTMOptions:
                return new BidirectionalSequenceLstmOptions(Activation(t, 0), Float(t, 1, "cell_clip"), Float(t, 2, "proj_clip"),
                    Bool(t, 3, "merge_outputs"), Bool(t, 4, "time_major", true), Bool(t, 5, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.RNNOptions:
                return new RnnOptions(Activation(t, 0), TimeMajor: false, Bool(t, 1, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.SequenceRNNOptions:
                return new RnnOptions(Activation(t, 1), Bool(t, 0, "time_major"), Bool(t, 2, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.BidirectionalSequenceRNNOptions:
                return new BidirectionalSequenceRnnOptions(Activation(t, 1), Bool(t, 0, "time_major"), Bool(t, 2, "merge_outputs"),
                    Bool(t, 3, "asymmetric_quantize_inputs"));
            case BuiltinOptionsType.SqueezeOptions:
                return new SqueezeOptions(_r.GetInt32Array(t, 0, "squeeze_dims"));
            case BuiltinOptionsType.LeakyReluOptions:
                return new LeakyReluOptions(Float(t, 0, "alpha"));
            case BuiltinOptionsType.PackOptions:
                return new PackOptions(Int(t, 0, "values_count"), Int(t, 1, "axis"));
            case BuiltinOptionsType.UnpackOptions:
                return new PackOptions(Int(t, 0, "num"), Int(t, 1, "axis"));
            case BuiltinOptionsType.SpaceToDepthOptions:
            case BuiltinOptionsType.DepthToSpaceOptions:
                return new BlockSizeOptions(Int(t, 0, "block_size"));
            case BuiltinOptionsType.L2NormOptions:
                return new L2NormOptions(Activation(t, 0));
            case BuiltinOptionsType.LocalResponseNormalizationOptions:
                return new LocalResponseNormalizationOptions(Int(t, 0, "radius"), Float(t, 1, "bias"), Float(t, 2, "alpha"),
                    Float(t, 3, "beta"));
            case BuiltinOptionsType.ArgMaxOptions:
            case BuiltinOptionsType.ArgMinOptions:
                return new ArgMinMaxOptions(TensorTypeOf(t, 0, "output_type"));
            case BuiltinOptionsType.CastOptions:
                return new CastOptions(TensorTypeOf(t, 0, "in_data_type"), TensorTypeOf(t, 1, "out_data_type"));
            case BuiltinOptionsType.MirrorPadOptions:
                return new MirrorPadOptions((MirrorPadMode)EnumOf(t, 0, "mode", 1));
            case BuiltinOptionsType.GeluOptions:
                return new GeluOptions(Bool(t, 0, "approximate"));
            case BuiltinOptionsType.CallOnceOptions:
                return new ControlFlowOptions([SubgraphIndex(t, 0, "init_subgraph_index")]);
            case BuiltinOptionsType.WhileOptions:
                return new ControlFlowOptions([SubgraphIndex(t, 0, "cond_subgraph_index"), SubgraphIndex(t, 1, "body_subgraph_index")]);
            case BuiltinOptionsType.IfOptions:
                return new ControlFlowOptions([SubgraphIndex(t, 0, "then_subgraph_index"), SubgraphIndex(t, 1, "else_subgraph_index")]);
            case BuiltinOptionsType.CallOptions:
                return new ControlFlowOptions([SubgraphIndex(t, 0, "subgraph")]);
            default:
                return null;
        }
    }

    /// <summary>Decodes <c>builtin_options_2</c> for the StableHLO tables that name subgraphs, checking those
    /// indices and the layout of their other vectors; other tags return null.</summary>
    private OperatorOptions? DecodeOptions2(BuiltinOptions2Type type, in TableRef t)
    {
        switch (type)
        {
            case BuiltinOptions2Type.StableHLOCompositeOptions:
            {
                string name = _r.GetString(t, 0, "name") ?? string.Empty;
                int decomposition = SubgraphIndex(t, 1, "decomposition_subgraph_index");
                _ = _r.TryGetVector(t, 2, 1, "composite_attributes", out _);
                return new StableHloCompositeOptions(name, decomposition, Int(t, 4, "version"));
            }
            case BuiltinOptions2Type.StablehloCustomCallOptions:
                _ = _r.GetString(t, 0, "call_target_name");
                _ = _r.GetString(t, 2, "backend_config");
                _ = _r.TryGetVector(t, 5, 1, "custom_attributes", out _);
                return new ControlFlowOptions(SubgraphIndices(t, 4, "called_computations"));
            case BuiltinOptions2Type.StablehloReduceOptions:
                CheckLongVectors(t, 0, 1);
                return new ControlFlowOptions([SubgraphIndex(t, 1, "body_subgraph_index")]);
            case BuiltinOptions2Type.StablehloScatterOptions:
                CheckLongVectors(t, 1, 4);
                return new ControlFlowOptions([SubgraphIndex(t, 6, "update_computation_subgraph_index")]);
            case BuiltinOptions2Type.StablehloReduceWindowOptions:
                CheckLongVectors(t, 0, 5);
                return new ControlFlowOptions([SubgraphIndex(t, 5, "body_subgraph_index")]);
            case BuiltinOptions2Type.StablehloSortOptions:
                return new ControlFlowOptions([SubgraphIndex(t, 2, "comparator_subgraph_index")]);
            case BuiltinOptions2Type.StablehloWhileOptions:
                return new ControlFlowOptions([SubgraphIndex(t, 0, "cond_subgraph_index"), SubgraphIndex(t, 1, "body_subgraph_index")]);
            case BuiltinOptions2Type.StablehloCaseOptions:
                return new ControlFlowOptions(SubgraphIndices(t, 0, "branch_subgraph_indices"));
            default:
                return null;
        }
    }

    // ---- typed field helpers (names are the schema's, for messages) ----------------------------

    private readonly int Int(in TableRef t, int id, string leaf, int defaultValue = 0) => _r.GetInt32(t, id, defaultValue, leaf);

    private readonly float Float(in TableRef t, int id, string leaf) => _r.GetFloat(t, id, 0f, leaf);

    private readonly bool Bool(in TableRef t, int id, string leaf, bool defaultValue = false) => _r.GetBool(t, id, defaultValue, leaf);

    /// <summary>A TensorType field; kept raw like <see cref="Tensor.Type"/>.</summary>
    private readonly TensorType TensorTypeOf(in TableRef t, int id, string leaf) => (TensorType)_r.GetByte(t, id, 0, leaf);

    private readonly Padding PaddingOf(in TableRef t, int id) => (Padding)EnumOf(t, id, "padding", (int)Tflite.Padding.Valid);

    private readonly ActivationFunctionType Activation(in TableRef t, int id) =>
        (ActivationFunctionType)EnumOf(t, id, "fused_activation_function", (int)ActivationFunctionType.SignBit);

    private readonly FullyConnectedWeightsFormat WeightsFormat(in TableRef t, int id) =>
        (FullyConnectedWeightsFormat)EnumOf(t, id, "weights_format", (int)FullyConnectedWeightsFormat.Shuffled4x16Int8);

    private readonly LstmKernelType KernelType(in TableRef t, int id) =>
        (LstmKernelType)EnumOf(t, id, "kernel_type", (int)LstmKernelType.Basic);

    /// <summary>A byte enum whose values run 0..<paramref name="max"/>; other values are rejected, since the
    /// options records type them and consumers switch on them.</summary>
    private readonly byte EnumOf(in TableRef t, int id, string leaf, int max)
    {
        byte value = _r.GetByte(t, id, 0, leaf);
        if (value > max)
        {
            _r.Fail(leaf, -1, _r.FieldPosition(t, id, 1, leaf), $"unknown {leaf} value {value} (0..{max} are defined)");
        }
        return value;
    }

    private readonly int SubgraphIndex(in TableRef t, int id, string leaf)
    {
        int index = _r.GetInt32(t, id, 0, leaf);
        if ((uint)index >= (uint)_subgraphCount)
        {
            _r.Fail(leaf, -1, _r.FieldPosition(t, id, 4, leaf),
                $"subgraph index {index} out of range (the model has {_subgraphCount} subgraphs)");
        }
        return index;
    }

    private int[] SubgraphIndices(in TableRef t, int id, string leaf)
    {
        if (!_r.TryGetVector(t, id, 4, leaf, out VectorRef vector))
        {
            return [];
        }
        int[] indices = _r.ToInt32Array(vector);
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)_subgraphCount)
            {
                _r.Fail(leaf, i, vector.ElementPosition(i),
                    $"subgraph index {indices[i]} out of range (the model has {_subgraphCount} subgraphs)");
            }
        }
        return indices;
    }

    /// <summary>Checks the layout of the <c>[long]</c> vectors in fields <paramref name="first"/>..<paramref name="last"/> - 1.</summary>
    private void CheckLongVectors(in TableRef t, int first, int last)
    {
        for (int id = first; id < last; id++)
        {
            _ = _r.TryGetVector(t, id, 8, "field" + id.ToString(System.Globalization.CultureInfo.InvariantCulture), out _);
        }
    }
}
