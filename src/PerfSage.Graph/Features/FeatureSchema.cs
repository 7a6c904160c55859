using System.Collections.Immutable;
using PerfSage.Tflite;

namespace PerfSage.Graph.Features;

/// <summary>
/// The frozen feature schema: which columns the node, edge and graph feature matrices hold, in which
/// order, and the op vocabulary (<see cref="OpVocabulary"/>). A trained model records
/// <see cref="Version"/> and refuses features of any other version. Changing a column (its meaning,
/// scaling or position) or the vocabulary needs a new version; docs/MODEL.md lists every column.
/// <para>Scaling: counts and sizes are <c>log2(1 + x)</c> (x ≥ 0), so 0 stays 0 and each doubling adds
/// about 1; kernel, stride, dilation, multiplier and ranks are raw; categories are one-hot. The model
/// standard-scales every column with statistics of its own training split.</para>
/// <para>Every feature is target independent (shapes, MACs, bytes, dtypes): no target's reference
/// estimate appears here, so heads trained on an estimator's labels learn from the graph alone.</para>
/// </summary>
public static class FeatureSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Node feature columns (one row per operator), in order.</summary>
    public static ImmutableArray<string> NodeColumns { get; } = NodeColumn.Names;

    /// <summary>Edge feature columns (one row per directed edge), in order.</summary>
    public static ImmutableArray<string> EdgeColumns { get; } = EdgeColumn.Names;

    /// <summary>Graph feature columns (one row per graph), in order.</summary>
    public static ImmutableArray<string> GraphColumns { get; } = GraphColumn.Names;

    /// <summary>Columns of a node row.</summary>
    public static int NodeFeatureCount => NodeColumn.Count;

    /// <summary>Columns of an edge row.</summary>
    public static int EdgeFeatureCount => EdgeColumn.Count;

    /// <summary>Columns of the graph row.</summary>
    public static int GraphFeatureCount => GraphColumn.Count;

    /// <summary>Entries of the op vocabulary.</summary>
    public static int OpVocabularySize => OpVocabulary.Size;

    /// <summary>Element type categories of the dtype one-hot columns, in column order.</summary>
    public static ImmutableArray<string> DTypeCategories { get; } = ["int8", "uint8", "int16", "float32", "float16", "int32", "other"];

    /// <summary>Throws <see cref="FeatureSchemaException"/> unless <paramref name="version"/> is <see cref="Version"/>.</summary>
    /// <param name="version">The version the features (or a model, or a cache) were made with.</param>
    /// <param name="source">What carried the version, for the message (a file, a model id).</param>
    public static void EnsureVersion(int version, string source)
    {
        if (version != Version)
        {
            ThrowVersion(version, source);
        }
    }

    /// <summary><c>log2(1 + x)</c> as the schema scales counts and sizes (negative x is treated as 0).</summary>
    public static float Log2p(double x) => x <= 0 ? 0f : (float)Math.Log2(1 + x);

    /// <summary>The dtype one-hot category of <paramref name="type"/>: its index in <see cref="DTypeCategories"/>.</summary>
    public static int DTypeCategory(TensorType type) => type switch
    {
        TensorType.Int8 => 0,
        TensorType.UInt8 => 1,
        TensorType.Int16 => 2,
        TensorType.Float32 => 3,
        TensorType.Float16 => 4,
        TensorType.Int32 => 5,
        _ => 6,
    };

    private static void ThrowVersion(int version, string source) =>
        throw new FeatureSchemaException(
            $"{source}: features of schema version {version}, but this build uses feature schema version {Version}; "
            + "featurize the models again with this build (and retrain a model made for another version)");

    /// <summary>Positions of the node feature columns.</summary>
    public static class NodeColumn
    {
        public const int InputRank = 0;
        /// <summary>First of 4: the main input's shape right-aligned to 4-D, log2(1+d); absent leading dims are 0
        /// and dims before the last four are folded into the first.</summary>
        public const int InputDims = 1;
        public const int OutputRank = 5;
        /// <summary>First of 4: the main output's shape, as <see cref="InputDims"/>.</summary>
        public const int OutputDims = 6;
        public const int KernelH = 10;
        public const int KernelW = 11;
        public const int StrideH = 12;
        public const int StrideW = 13;
        public const int DilationH = 14;
        public const int DilationW = 15;
        public const int DepthMultiplier = 16;
        /// <summary>First of 3: padding none / same / valid.</summary>
        public const int Padding = 17;
        /// <summary>First of 6: fused activation none / relu / relu_n1_to_1 / relu6 / tanh / sign_bit.</summary>
        public const int FusedActivation = 20;
        public const int MacsLog2 = 26;
        public const int ElementOpsLog2 = 27;
        public const int OutputElementsLog2 = 28;
        public const int BytesReadLog2 = 29;
        public const int BytesWrittenLog2 = 30;
        public const int WeightBytesLog2 = 31;
        public const int BiasBytesLog2 = 32;
        /// <summary>First of 7: the main activation's dtype (see <see cref="DTypeCategories"/>).</summary>
        public const int ActivationDType = 33;
        /// <summary>First of 7: the weight slot's dtype; all 0 when the op has no weight slot.</summary>
        public const int WeightDType = 40;
        public const int WeightPerChannel = 47;
        public const int IsUnsupported = 48;
        public const int ActivationInputCount = 49;
        public const int Count = 50;

        internal static readonly ImmutableArray<string> Names =
        [
            "input_rank", "input_d0_log2", "input_d1_log2", "input_d2_log2", "input_d3_log2",
            "output_rank", "output_d0_log2", "output_d1_log2", "output_d2_log2", "output_d3_log2",
            "kernel_h", "kernel_w", "stride_h", "stride_w", "dilation_h", "dilation_w", "depth_multiplier",
            "padding_none", "padding_same", "padding_valid",
            "activation_none", "activation_relu", "activation_relu_n1_to_1", "activation_relu6", "activation_tanh", "activation_sign_bit",
            "macs_log2", "element_ops_log2", "output_elements_log2", "bytes_read_log2", "bytes_written_log2",
            "weight_bytes_log2", "bias_bytes_log2",
            "dtype_int8", "dtype_uint8", "dtype_int16", "dtype_float32", "dtype_float16", "dtype_int32", "dtype_other",
            "weight_dtype_int8", "weight_dtype_uint8", "weight_dtype_int16", "weight_dtype_float32", "weight_dtype_float16",
            "weight_dtype_int32", "weight_dtype_other",
            "weight_per_channel", "is_unsupported", "activation_input_count",
        ];
    }

    /// <summary>Positions of the edge feature columns.</summary>
    public static class EdgeColumn
    {
        public const int TensorBytesLog2 = 0;
        /// <summary>First of 7: the tensor's dtype (see <see cref="DTypeCategories"/>).</summary>
        public const int DType = 1;
        /// <summary>1 for producer → consumer, 0 for the reverse copy (consumer → producer).</summary>
        public const int Forward = 8;
        public const int Count = 9;

        internal static readonly ImmutableArray<string> Names =
        [
            "tensor_bytes_log2",
            "dtype_int8", "dtype_uint8", "dtype_int16", "dtype_float32", "dtype_float16", "dtype_int32", "dtype_other",
            "forward",
        ];
    }

    /// <summary>Positions of the graph feature columns.</summary>
    public static class GraphColumn
    {
        public const int TotalMacsLog2 = 0;
        public const int TotalElementOpsLog2 = 1;
        /// <summary>Peak of the TFLM-style arena plan (<see cref="ArenaPlanner"/>), bytes.</summary>
        public const int ArenaPeakBytesLog2 = 2;
        /// <summary>The model file's size (0 for a graph never written).</summary>
        public const int FileBytesLog2 = 3;
        public const int ConstantBytesLog2 = 4;
        public const int OpCountLog2 = 5;
        public const int UnsupportedOpCountLog2 = 6;
        public const int Count = 7;

        internal static readonly ImmutableArray<string> Names =
        [
            "total_macs_log2", "total_element_ops_log2", "arena_peak_bytes_log2", "file_bytes_log2",
            "constant_bytes_log2", "op_count_log2", "unsupported_op_count_log2",
        ];
    }
}
