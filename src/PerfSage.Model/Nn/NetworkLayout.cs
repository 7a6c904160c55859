using PerfSage.Graph.Features;

namespace PerfSage.Model.Nn;

/// <summary>Facts about <see cref="PerfSageNet"/>'s layout that the managed engine needs too, kept free of TorchSharp types
/// (reading a static field of <see cref="PerfSageNet"/> would load TorchSharp).</summary>
internal static class NetworkLayout
{
    /// <summary>The graph feature columns the graph encoder reads (see <see cref="PerfSageNet.GraphTermColumns"/> for why only these).</summary>
    public static readonly int[] GraphTermColumns = [FeatureSchema.GraphColumn.ArenaPeakBytesLog2];

    /// <summary>LayerNorm's ε: TorchSharp's <c>nn.LayerNorm</c> default, which <see cref="PerfSageNet"/> uses.</summary>
    public const float LayerNormEpsilon = 1e-5f;
}
