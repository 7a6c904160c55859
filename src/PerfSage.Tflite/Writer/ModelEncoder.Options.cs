namespace PerfSage.Tflite.Writer;

/// <summary>Builtin options tables. Field ids and defaults are the official schema's (the table name and
/// field name are in the comments); a field equal to its schema default is not stored, as FlatBuffers does,
/// and reads back as that default.</summary>
internal sealed partial class ModelEncoder
{
    /// <summary>Writes the <c>builtin_options</c> table of tag <paramref name="tag"/>; 0 when there is none.
    /// A tag without a record (a table the object model does not decode) is written as an empty table.</summary>
    private int EncodeOptions(BuiltinOptionsType tag, OperatorOptions? options, string path)
    {
        if (options is null)
        {
            return tag == BuiltinOptionsType.None ? 0 : EmptyTable();
        }
        if (tag == BuiltinOptionsType.None)
        {
            throw Invalid(path, $"options {options.GetType().Name} are given but builtin_options_type is NONE");
        }
        if (!BuiltinOptionsTags.Fits(tag, options))
        {
            throw Invalid(path, $"options {options.GetType().Name} do not fit builtin_options_type {tag}");
        }
        switch (options)
        {
            case Conv2DOptions o:
                // Conv2DOptions: padding, stride_w, stride_h, fused_activation_function,
                // dilation_w_factor = 1, dilation_h_factor = 1, quantized_bias_type
                _b.StartTable(7);
                _b.AddInt(1, o.StrideW, 0);
                _b.AddInt(2, o.StrideH, 0);
                _b.AddInt(4, o.DilationWFactor, 1);
                _b.AddInt(5, o.DilationHFactor, 1);
                _b.AddByte(0, (byte)o.Padding, 0);
                _b.AddByte(3, (byte)o.FusedActivation, 0);
                _b.AddByte(6, (byte)o.QuantizedBiasType, 0);
                return _b.EndTable();
            case DepthwiseConv2DOptions o:
                // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier,
                // fused_activation_function, dilation_w_factor = 1, dilation_h_factor = 1
                _b.StartTable(7);
                _b.AddInt(1, o.StrideW, 0);
                _b.AddInt(2, o.StrideH, 0);
                _b.AddInt(3, o.DepthMultiplier, 0);
                _b.AddInt(5, o.DilationWFactor, 1);
                _b.AddInt(6, o.DilationHFactor, 1);
                _b.AddByte(0, (byte)o.Padding, 0);
                _b.AddByte(4, (byte)o.FusedActivation, 0);
                return _b.EndTable();
            case TransposeConvOptions o:
                // TransposeConvOptions: padding, stride_w, stride_h, fused_activation_function, quantized_bias_type
                _b.StartTable(5);
                _b.AddInt(1, o.StrideW, 0);
                _b.AddInt(2, o.StrideH, 0);
                _b.AddByte(0, (byte)o.Padding, 0);
                _b.AddByte(3, (byte)o.FusedActivation, 0);
                _b.AddByte(4, (byte)o.QuantizedBiasType, 0);
                return _b.EndTable();
            case Conv3DOptions o:
                // Conv3DOptions: padding, stride_d, stride_w, stride_h, fused_activation_function,
                // dilation_d_factor = 1, dilation_w_factor = 1, dilation_h_factor = 1
                _b.StartTable(8);
                _b.AddInt(1, o.StrideD, 0);
                _b.AddInt(2, o.StrideW, 0);
                _b.AddInt(3, o.StrideH, 0);
                _b.AddInt(5, o.DilationDFactor, 1);
                _b.AddInt(6, o.DilationWFactor, 1);
                _b.AddInt(7, o.DilationHFactor, 1);
                _b.AddByte(0, (byte)o.Padding, 0);
                _b.AddByte(4, (byte)o.FusedActivation, 0);
                return _b.EndTable();
            case Pool2DOptions o:
                // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function
                _b.StartTable(6);
                _b.AddInt(1, o.StrideW, 0);
                _b.AddInt(2, o.StrideH, 0);
                _b.AddInt(3, o.FilterWidth, 0);
                _b.AddInt(4, o.FilterHeight, 0);
                _b.AddByte(0, (byte)o.Padding, 0);
                _b.AddByte(5, (byte)o.FusedActivation, 0);
                return _b.EndTable();
            case FullyConnectedOptions o:
                // FullyConnectedOptions: fused_activation_function, weights_format = DEFAULT, keep_num_dims,
                // asymmetric_quantize_inputs, quantized_bias_type
                _b.StartTable(5);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                _b.AddByte(1, (byte)o.WeightsFormat, 0);
                _b.AddBool(2, o.KeepNumDims, false);
                _b.AddBool(3, o.AsymmetricQuantizeInputs, false);
                _b.AddByte(4, (byte)o.QuantizedBiasType, 0);
                return _b.EndTable();
            case ArithmeticOptions o:
                // AddOptions, SubOptions: fused_activation_function, pot_scale_int16 = true.
                // MulOptions, DivOptions: fused_activation_function only.
                _b.StartTable(2);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                if (tag is BuiltinOptionsType.AddOptions or BuiltinOptionsType.SubOptions)
                {
                    _b.AddBool(1, o.PotScaleInt16, true);
                }
                return _b.EndTable();
            case ConcatenationOptions o:
                // ConcatenationOptions: axis, fused_activation_function
                _b.StartTable(2);
                _b.AddInt(0, o.Axis, 0);
                _b.AddByte(1, (byte)o.FusedActivation, 0);
                return _b.EndTable();
            case ReshapeOptions o:
            {
                // ReshapeOptions: new_shape:[int] (written when non-empty; absent and empty read alike)
                int newShape = o.NewShape.Count == 0 ? 0 : IntVector(o.NewShape);
                _b.StartTable(1);
                _b.AddOffset(0, newShape, 0);
                return _b.EndTable();
            }
            case SoftmaxOptions o:
                // SoftmaxOptions: beta
                _b.StartTable(1);
                _b.AddFloat(0, o.Beta, 0.0);
                return _b.EndTable();
            case PadOptions:
                // PadOptions, PadV2Options: no fields
                return EmptyTable();
            case ReducerOptions o:
                // ReducerOptions: keep_dims
                _b.StartTable(1);
                _b.AddBool(0, o.KeepDims, false);
                return _b.EndTable();
            case StridedSliceOptions o:
                // StridedSliceOptions: begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask, offset
                _b.StartTable(6);
                _b.AddInt(0, o.BeginMask, 0);
                _b.AddInt(1, o.EndMask, 0);
                _b.AddInt(2, o.EllipsisMask, 0);
                _b.AddInt(3, o.NewAxisMask, 0);
                _b.AddInt(4, o.ShrinkAxisMask, 0);
                _b.AddBool(5, o.Offset, false);
                return _b.EndTable();
            case ResizeOptions o when tag == BuiltinOptionsType.ResizeBilinearOptions:
                // ResizeBilinearOptions: new_height (deprecated), new_width (deprecated), align_corners, half_pixel_centers
                _b.StartTable(4);
                _b.AddBool(2, o.AlignCorners, false);
                _b.AddBool(3, o.HalfPixelCenters, false);
                return _b.EndTable();
            case ResizeOptions o:
                // ResizeNearestNeighborOptions: align_corners, half_pixel_centers
                _b.StartTable(2);
                _b.AddBool(0, o.AlignCorners, false);
                _b.AddBool(1, o.HalfPixelCenters, false);
                return _b.EndTable();
            case SplitOptions o:
                // SplitOptions, SplitVOptions: num_splits
                _b.StartTable(1);
                _b.AddInt(0, o.NumSplits, 0);
                return _b.EndTable();
            case GatherOptions o:
                // GatherOptions: axis, batch_dims = 0
                _b.StartTable(2);
                _b.AddInt(0, o.Axis, 0);
                _b.AddInt(1, o.BatchDims, 0);
                return _b.EndTable();
            case BatchMatMulOptions o:
                // BatchMatMulOptions: adj_x, adj_y, asymmetric_quantize_inputs
                _b.StartTable(3);
                _b.AddBool(0, o.AdjX, false);
                _b.AddBool(1, o.AdjY, false);
                _b.AddBool(2, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case SvdfOptions o:
                // SVDFOptions: rank, fused_activation_function, asymmetric_quantize_inputs
                _b.StartTable(3);
                _b.AddInt(0, o.Rank, 0);
                _b.AddByte(1, (byte)o.FusedActivation, 0);
                _b.AddBool(2, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case LstmOptions o:
                // LSTMOptions: fused_activation_function, cell_clip, proj_clip, kernel_type = FULL, asymmetric_quantize_inputs
                _b.StartTable(5);
                _b.AddFloat(1, o.CellClip, 0.0);
                _b.AddFloat(2, o.ProjClip, 0.0);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                _b.AddByte(3, (byte)o.KernelType, 0);
                _b.AddBool(4, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case UnidirectionalSequenceLstmOptions o:
                // UnidirectionalSequenceLSTMOptions: fused_activation_function, cell_clip, proj_clip, time_major,
                // asymmetric_quantize_inputs, diagonal_recurrent_tensors
                _b.StartTable(6);
                _b.AddFloat(1, o.CellClip, 0.0);
                _b.AddFloat(2, o.ProjClip, 0.0);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                _b.AddBool(3, o.TimeMajor, false);
                _b.AddBool(4, o.AsymmetricQuantizeInputs, false);
                _b.AddBool(5, o.DiagonalRecurrentTensors, false);
                return _b.EndTable();
            case BidirectionalSequenceLstmOptions o:
                // BidirectionalSequenceLSTMOptions: fused_activation_function, cell_clip, proj_clip, merge_outputs,
                // time_major = true, asymmetric_quantize_inputs
                _b.StartTable(6);
                _b.AddFloat(1, o.CellClip, 0.0);
                _b.AddFloat(2, o.ProjClip, 0.0);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                _b.AddBool(3, o.MergeOutputs, false);
                _b.AddBool(4, o.TimeMajor, true);
                _b.AddBool(5, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case RnnOptions o when tag == BuiltinOptionsType.RNNOptions:
                // RNNOptions: fused_activation_function, asymmetric_quantize_inputs (no time_major)
                _b.StartTable(2);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                _b.AddBool(1, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case RnnOptions o:
                // SequenceRNNOptions: time_major, fused_activation_function, asymmetric_quantize_inputs
                _b.StartTable(3);
                _b.AddBool(0, o.TimeMajor, false);
                _b.AddByte(1, (byte)o.FusedActivation, 0);
                _b.AddBool(2, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case BidirectionalSequenceRnnOptions o:
                // BidirectionalSequenceRNNOptions: time_major, fused_activation_function, merge_outputs, asymmetric_quantize_inputs
                _b.StartTable(4);
                _b.AddBool(0, o.TimeMajor, false);
                _b.AddByte(1, (byte)o.FusedActivation, 0);
                _b.AddBool(2, o.MergeOutputs, false);
                _b.AddBool(3, o.AsymmetricQuantizeInputs, false);
                return _b.EndTable();
            case SqueezeOptions o:
            {
                // SqueezeOptions: squeeze_dims:[int]
                int dims = o.SqueezeDims.Count == 0 ? 0 : IntVector(o.SqueezeDims);
                _b.StartTable(1);
                _b.AddOffset(0, dims, 0);
                return _b.EndTable();
            }
            case LeakyReluOptions o:
                // LeakyReluOptions: alpha
                _b.StartTable(1);
                _b.AddFloat(0, o.Alpha, 0.0);
                return _b.EndTable();
            case PackOptions o:
                // PackOptions: values_count, axis; UnpackOptions: num, axis
                _b.StartTable(2);
                _b.AddInt(0, o.ValuesCount, 0);
                _b.AddInt(1, o.Axis, 0);
                return _b.EndTable();
            case BlockSizeOptions o:
                // SpaceToDepthOptions, DepthToSpaceOptions: block_size
                _b.StartTable(1);
                _b.AddInt(0, o.BlockSize, 0);
                return _b.EndTable();
            case L2NormOptions o:
                // L2NormOptions: fused_activation_function
                _b.StartTable(1);
                _b.AddByte(0, (byte)o.FusedActivation, 0);
                return _b.EndTable();
            case LocalResponseNormalizationOptions o:
                // LocalResponseNormalizationOptions: radius, bias, alpha, beta
                _b.StartTable(4);
                _b.AddInt(0, o.Radius, 0);
                _b.AddFloat(1, o.Bias, 0.0);
                _b.AddFloat(2, o.Alpha, 0.0);
                _b.AddFloat(3, o.Beta, 0.0);
                return _b.EndTable();
            case ArgMinMaxOptions o:
                // ArgMaxOptions, ArgMinOptions: output_type
                _b.StartTable(1);
                _b.AddByte(0, (byte)o.OutputType, 0);
                return _b.EndTable();
            case CastOptions o:
                // CastOptions: in_data_type, out_data_type
                _b.StartTable(2);
                _b.AddByte(0, (byte)o.InDataType, 0);
                _b.AddByte(1, (byte)o.OutDataType, 0);
                return _b.EndTable();
            case MirrorPadOptions o:
                // MirrorPadOptions: mode
                _b.StartTable(1);
                _b.AddByte(0, (byte)o.Mode, 0);
                return _b.EndTable();
            case GeluOptions o:
                // GeluOptions: approximate
                _b.StartTable(1);
                _b.AddBool(0, o.Approximate, false);
                return _b.EndTable();
            case ControlFlowOptions o:
                return EncodeControlFlow(tag, o, path);
            default:
                throw Invalid(path, $"options {options.GetType().Name} cannot be written");
        }
    }

    /// <summary>CallOnceOptions (init_subgraph_index), WhileOptions (cond_, body_subgraph_index),
    /// IfOptions (then_, else_subgraph_index), CallOptions (subgraph: uint).</summary>
    private int EncodeControlFlow(BuiltinOptionsType tag, ControlFlowOptions o, string path)
    {
        int expected = tag is BuiltinOptionsType.WhileOptions or BuiltinOptionsType.IfOptions ? 2 : 1;
        CheckSubgraphIndices(o.SubgraphIndices, expected, path);
        _b.StartTable(expected);
        for (int i = 0; i < expected; i++)
        {
            _b.AddInt(i, o.SubgraphIndices[i], 0);
        }
        return _b.EndTable();
    }

    /// <summary>Writes the <c>builtin_options_2</c> table; the StableHLO tables keep only the fields the
    /// records hold (subgraph indices, the composite's name and version).</summary>
    private int EncodeOptions2(BuiltinOptions2Type tag, OperatorOptions? options, string path)
    {
        if (options is null)
        {
            return tag == BuiltinOptions2Type.None ? 0 : EmptyTable();
        }
        if (tag == BuiltinOptions2Type.None)
        {
            throw Invalid(path, $"options {options.GetType().Name} are given but builtin_options_2_type is NONE");
        }
        if (!BuiltinOptionsTags.Fits(tag, options))
        {
            throw Invalid(path, $"options {options.GetType().Name} do not fit builtin_options_2_type {tag}");
        }
        if (options is StableHloCompositeOptions composite)
        {
            // StableHLOCompositeOptions: name, decomposition_subgraph_index, composite_attributes,
            // composite_attributes_format, version
            CheckSubgraphIndices([composite.DecompositionSubgraphIndex], 1, path + ".decomposition_subgraph_index");
            int name = _b.CreateString(composite.Name ?? string.Empty).Value;
            _b.StartTable(5);
            _b.AddOffset(0, name, 0);
            _b.AddInt(1, composite.DecompositionSubgraphIndex, 0);
            _b.AddInt(4, composite.Version, 0);
            return _b.EndTable();
        }

        var flow = (ControlFlowOptions)options;
        switch (tag)
        {
            case BuiltinOptions2Type.StablehloCustomCallOptions:
            {
                // StablehloCustomCallOptions: called_computations:[int] is field 4
                CheckSubgraphIndices(flow.SubgraphIndices, -1, path + ".called_computations");
                int called = IntVector(flow.SubgraphIndices);
                _b.StartTable(6);
                _b.AddOffset(4, called, 0);
                return _b.EndTable();
            }
            case BuiltinOptions2Type.StablehloCaseOptions:
            {
                // StablehloCaseOptions: branch_subgraph_indices:[int]
                CheckSubgraphIndices(flow.SubgraphIndices, -1, path + ".branch_subgraph_indices");
                int branches = IntVector(flow.SubgraphIndices);
                _b.StartTable(1);
                _b.AddOffset(0, branches, 0);
                return _b.EndTable();
            }
            case BuiltinOptions2Type.StablehloWhileOptions:
                // StablehloWhileOptions: cond_subgraph_index, body_subgraph_index
                CheckSubgraphIndices(flow.SubgraphIndices, 2, path);
                _b.StartTable(2);
                _b.AddInt(0, flow.SubgraphIndices[0], 0);
                _b.AddInt(1, flow.SubgraphIndices[1], 0);
                return _b.EndTable();
            default:
            {
                // One subgraph index: StablehloReduceOptions.body_subgraph_index (1),
                // StablehloScatterOptions.update_computation_subgraph_index (6),
                // StablehloReduceWindowOptions.body_subgraph_index (5), StablehloSortOptions.comparator_subgraph_index (2)
                int field = tag switch
                {
                    BuiltinOptions2Type.StablehloReduceOptions => 1,
                    BuiltinOptions2Type.StablehloScatterOptions => 6,
                    BuiltinOptions2Type.StablehloReduceWindowOptions => 5,
                    _ => 2,
                };
                CheckSubgraphIndices(flow.SubgraphIndices, 1, path);
                _b.StartTable(field + 1);
                _b.AddInt(field, flow.SubgraphIndices[0], 0);
                return _b.EndTable();
            }
        }
    }

    /// <summary>Checks that there are <paramref name="expected"/> indices (any number when -1) and that each
    /// names a subgraph of the model.</summary>
    private void CheckSubgraphIndices(IReadOnlyList<int> indices, int expected, string path)
    {
        if (expected >= 0 && indices.Count != expected)
        {
            throw Invalid(path, $"{indices.Count} subgraph indices where the table holds {expected}");
        }
        for (int i = 0; i < indices.Count; i++)
        {
            if ((uint)indices[i] >= (uint)_model.Subgraphs.Count)
            {
                throw Invalid(path, $"subgraph index {indices[i]} out of range (the model has {_model.Subgraphs.Count} subgraphs)");
            }
        }
    }

    private int EmptyTable()
    {
        _b.StartTable(0);
        return _b.EndTable();
    }
}
