using TorchSharp;
using static TorchSharp.torch;

namespace PerfSage.Model.Nn;

/// <summary>
/// The six weights of one readout head by name, as whatever a caller holds them in (tensors of a live network,
/// trainable copies, float arrays of a fitted head, shapes). Layers (see <see cref="Readout"/>): the node hidden layer
/// (hidden → headHidden, ReLU), the node term layer (headHidden → 2: the sum term aᵢ and the maximum term cᵢ) and the
/// graph term layer (graphHidden → 1: b).
/// </summary>
/// <param name="HiddenWeight">Node hidden layer weight [headHidden, hidden] (<c>node.0.weight</c>).</param>
/// <param name="HiddenBias">Node hidden layer bias [headHidden] (<c>node.0.bias</c>).</param>
/// <param name="TermWeight">Node term layer weight [2, headHidden] (<c>node.2.weight</c>).</param>
/// <param name="TermBias">Node term layer bias [2] (<c>node.2.bias</c>).</param>
/// <param name="GraphWeight">Graph term weight [1, graphHidden] (<c>graph.weight</c>).</param>
/// <param name="GraphBias">Graph term bias [1] (<c>graph.bias</c>).</param>
internal sealed record HeadWeights<T>(T HiddenWeight, T HiddenBias, T TermWeight, T TermBias, T GraphWeight, T GraphBias)
{
    /// <summary>The weights in <see cref="HeadWeights.Names"/> order.</summary>
    public IReadOnlyList<T> All => [HiddenWeight, HiddenBias, TermWeight, TermBias, GraphWeight, GraphBias];

    /// <summary>The weights after the node hidden layer (what a fit of the output layers trains).</summary>
    public IReadOnlyList<T> OutputLayers => [TermWeight, TermBias, GraphWeight, GraphBias];

    /// <summary>Each weight converted by <paramref name="convert"/>.</summary>
    public HeadWeights<TOut> Map<TOut>(Func<T, TOut> convert) => new(
        convert(HiddenWeight), convert(HiddenBias), convert(TermWeight), convert(TermBias), convert(GraphWeight), convert(GraphBias));

    /// <summary>Each weight combined with the same weight of <paramref name="other"/>.</summary>
    public HeadWeights<TOut> Zip<TOther, TOut>(HeadWeights<TOther> other, Func<T, TOther, TOut> combine) => new(
        combine(HiddenWeight, other.HiddenWeight), combine(HiddenBias, other.HiddenBias), combine(TermWeight, other.TermWeight),
        combine(TermBias, other.TermBias), combine(GraphWeight, other.GraphWeight), combine(GraphBias, other.GraphBias));
}

/// <summary>Names and shapes of a head's weights.</summary>
internal static class HeadWeights
{
    /// <summary>Parameter names inside a head (after <c>heads.&lt;target/metric&gt;.</c>), in <see cref="HeadWeights{T}.All"/>
    /// order. They are the weights format: renaming one breaks saved models.</summary>
    public static readonly HeadWeights<string> Names = new("node.0.weight", "node.0.bias", "node.2.weight", "node.2.bias", "graph.weight", "graph.bias");

    /// <summary>The weights of head <paramref name="headKey"/> in a network's state dictionary.</summary>
    public static HeadWeights<Tensor> FromState(IReadOnlyDictionary<string, Tensor> state, string headKey) =>
        Names.Map(n => state[$"heads.{headKey}.{n}"]);

    /// <summary>The shape of each weight in a network of sizes <paramref name="o"/>.</summary>
    public static HeadWeights<long[]> Shapes(NetworkOptions o) => new(
        [o.HeadHiddenSize, o.HiddenSize], [o.HeadHiddenSize], [2, o.HeadHiddenSize], [2], [1, o.GraphHiddenSize], [1]);
}
