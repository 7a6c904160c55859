using static TorchSharp.torch;

namespace PerfSage.Model.Nn;

/// <summary>
/// The readout of a head, written once: used by <see cref="PerfSageNet"/> (all heads over a batch) and by
/// <see cref="HeadFitter"/> (one head over cached trunk outputs). Per node two log terms from a small MLP over the node
/// embedding, aᵢ (its part of the sum) and cᵢ (its candidate for the maximum); per graph a log term b from the graph
/// embedding; the prediction is <c>ln ŷ = ln(Σᵢ exp aᵢ + exp maxᵢ cᵢ + exp b) + offset</c>, all in ln space with
/// logsumexp so nothing overflows. Tensors belong to the caller's dispose scope.
/// </summary>
internal static class Readout
{
    /// <summary>The node hidden layer: ReLU(node embeddings [N, hidden] · W + b) [N, headHidden].</summary>
    public static Tensor Hidden(Tensor nodeEmbeddings, HeadWeights<Tensor> w) =>
        nn.functional.relu(nn.functional.linear(nodeEmbeddings, w.HiddenWeight, w.HiddenBias));

    /// <summary>Node log terms [N, 2] from the hidden layer: column 0 aᵢ (sum), column 1 cᵢ (maximum).</summary>
    public static Tensor NodeTerms(Tensor hidden, HeadWeights<Tensor> w) =>
        nn.functional.linear(hidden, w.TermWeight, w.TermBias);

    /// <summary>Graph log terms b [G] from graph embeddings [G, graphHidden].</summary>
    public static Tensor GraphTerm(Tensor graphEmbeddings, HeadWeights<Tensor> w) =>
        nn.functional.linear(graphEmbeddings, w.GraphWeight, w.GraphBias).squeeze(1);

    /// <summary>
    /// Node rows [N, …] laid out per graph [G, maxNodes, …]: row i goes to flat position <paramref name="densePosition"/>[i]
    /// (graph · maxNodes + its index in the graph); places of graphs with fewer nodes hold −∞ (nothing in a logsumexp or a
    /// maximum).
    /// </summary>
    public static Tensor Dense(Tensor nodeRows, Tensor densePosition, int graphCount, int maxNodes)
    {
        long[] rest = nodeRows.shape[1..];
        return full([graphCount * (long)maxNodes, .. rest], Scalars.NegativeInfinity, dtype: nodeRows.dtype, device: nodeRows.device)
            .index_copy(0, densePosition, nodeRows)
            .view([graphCount, maxNodes, .. rest]);
    }

    /// <summary>
    /// ln ŷ [G, …] from the dense node sum terms and maximum terms [G, maxNodes, …] (see <see cref="Dense"/>) and the graph
    /// terms [G, …]: ln(Σᵢ exp aᵢ + exp maxᵢ cᵢ + exp b), plus <paramref name="offset"/> when given.
    /// </summary>
    public static Tensor Combine(Tensor sumTerms, Tensor maxTerms, Tensor graphTerms, Tensor? offset)
    {
        Tensor sum = sumTerms.logsumexp(1);   // ln Σᵢ exp aᵢ
        Tensor max = maxTerms.amax([1]);      // maxᵢ cᵢ
        int last = (int)sum.dim();
        Tensor log = stack([sum, max, graphTerms], last).logsumexp(last);
        return offset is null ? log : log.add(offset, Scalars.One);
    }
}
