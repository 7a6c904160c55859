using PerfSage.Graph.Features;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PerfSage.Model.Nn;

/// <summary>
/// The predictor network. Trunk (shared by all heads):
/// <list type="number">
/// <item>node input = [scaled node features ‖ op embedding (32-d)] → Linear → ReLU → Linear (hidden 128);</item>
/// <item><see cref="NetworkOptions.LayerCount"/> × (h ← h + ReLU(LayerNorm(SageConv(h)))), residual;</item>
/// <item>the size-independent graph features (<see cref="GraphTermColumns"/>) → Linear → ReLU → Linear → ReLU (64).</item>
/// </list>
/// Heads (<c>heads</c>, a ModuleDict keyed <c>target/metric</c>): per node two log terms aᵢ and cᵢ, per
/// graph a log term b; the output is the log of the predicted value,
/// <c>ln ŷ = ln(Σᵢ exp aᵢ + exp maxᵢ cᵢ + exp b) + offset</c>:
/// a sum of non-negative per-node contributions (what latency, energy and flash are made of, and what
/// extrapolates to larger graphs), the largest per-node term (what peak memory is made of) and a
/// graph-level term. The offset (ln-space label mean less ln(mean node count + 2)) makes an untrained net
/// predict the training mean. Terms are exponentials rather than softplus: features are logarithms, and
/// exp of a linear function of them is a power law (MACs¹ for a MAC-bound op), which softplus cannot
/// follow across the decades of sizes seen. All in ln space with logsumexp, so nothing overflows.
/// <para>Output [G, heads] in <see cref="Heads"/> order. Field names are the weights format: renaming one
/// breaks saved models.</para>
/// </summary>
internal sealed class PerfSageNet : Module<GraphBatch, Tensor>
{
    private readonly Embedding op_embedding;
    private readonly Sequential node_encoder;
    private readonly ModuleList<SageConv> convs;
    private readonly ModuleList<LayerNorm> norms;
    private readonly Sequential graph_encoder;
    private readonly ModuleDict<ReadoutHead> heads;

    private readonly HeadSpec[] _heads;
    private readonly float[] _offsets;

    public PerfSageNet(NetworkOptions options, IReadOnlyList<HeadSpec> headSpecs) : base(nameof(PerfSageNet))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(headSpecs);
        options.Validate();
        if (headSpecs.Count == 0)
        {
            throw new ArgumentException("the network needs at least one head", nameof(headSpecs));
        }
        Options = options;
        _heads = [.. headSpecs];
        _offsets = _heads.Select(hs => (float)hs.LogOffset).ToArray();
        int h = options.HiddenSize;
        op_embedding = nn.Embedding(OpVocabulary.Size, options.EmbeddingSize);
        node_encoder = nn.Sequential(
            ("0", nn.Linear(FeatureSchema.NodeFeatureCount + options.EmbeddingSize, h)),
            ("1", nn.ReLU()),
            ("2", nn.Linear(h, h)));
        convs = nn.ModuleList<SageConv>();
        norms = nn.ModuleList<LayerNorm>();
        for (int l = 0; l < options.LayerCount; l++)
        {
            convs.Add(new SageConv(h, h, FeatureSchema.EdgeFeatureCount));
            norms.Add(nn.LayerNorm(h));
        }
        graph_encoder = nn.Sequential(
            ("0", nn.Linear(GraphTermColumns.Length, options.GraphHiddenSize)),
            ("1", nn.ReLU()),
            ("2", nn.Linear(options.GraphHiddenSize, options.GraphHiddenSize)),
            ("3", nn.ReLU()));
        heads = new ModuleDict<ReadoutHead>();
        foreach (HeadSpec spec in _heads)
        {
            heads.Add(spec.Key.Key, new ReadoutHead(h, options.HeadHiddenSize, options.GraphHiddenSize));
        }
        RegisterComponents();
    }

    /// <summary>
    /// The graph feature columns the graph term sees: only those that do not grow with the graph (the arena
    /// peak). Totals (MACs, bytes, op count) are left to the node sum: a graph term that sees them learns to
    /// predict the total itself and extrapolates badly to larger graphs (measured: 98 % of the prediction
    /// came from the graph term, and 30-layer chains were over-predicted by 56 % by a model trained on 2–8).
    /// </summary>
    internal static readonly long[] GraphTermColumns = [.. NetworkLayout.GraphTermColumns];

    public NetworkOptions Options { get; }

    /// <summary>The heads in output column order.</summary>
    public IReadOnlyList<HeadSpec> Heads => _heads;

    /// <summary>Parameters of the trunk (everything but the heads).</summary>
    public IEnumerable<Parameter> TrunkParameters() =>
        named_parameters().Where(p => !p.name.StartsWith("heads.", StringComparison.Ordinal)).Select(p => p.parameter);

    /// <summary>Node embeddings after the SageConv layers [N, hidden].</summary>
    public Tensor NodeEmbeddings(GraphBatch batch)
    {
        using var scope = NewDisposeScope();
        Tensor h = node_encoder.forward(cat([batch.NodeFeatures, op_embedding.forward(batch.OpIndex)], 1));
        for (int l = 0; l < convs.Count; l++)
        {
            Tensor m = convs[l].forward(h, batch.EdgeSource, batch.EdgeTarget, batch.InverseInDegree, batch.EdgeFeatures);
            h = h.add(nn.functional.relu(norms[l].forward(m)), Scalars.One);
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>Graph embeddings [G, graphHidden] of the size-independent graph columns (what the heads' graph terms read).</summary>
    public Tensor GraphEmbeddings(GraphBatch batch) =>
        graph_encoder.forward(batch.GraphFeatures.index_select(1, tensor(GraphTermColumns, device: batch.GraphFeatures.device)));

    /// <summary>
    /// The readout terms before they are combined: node sum terms aᵢ [N, heads], node maximum terms cᵢ
    /// [N, heads] and graph terms b [G, heads] (the heads' offsets not yet added).
    /// </summary>
    public (Tensor SumLog, Tensor MaxLog, Tensor GraphLog) ReadoutTerms(GraphBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        Tensor h = NodeEmbeddings(batch);
        Tensor g = GraphEmbeddings(batch);
        var sumLog = new Tensor[_heads.Length];
        var maxLog = new Tensor[_heads.Length];
        var graphLog = new Tensor[_heads.Length];
        for (int k = 0; k < _heads.Length; k++)
        {
            // One scope per head: its hidden layer [N, headHidden] is freed before the next head runs, so memory
            // holds one head's temporaries, not all of them (52 heads × N × 64 floats at 200,000 ops was 2.6 GB).
            using DisposeScope headScope = NewDisposeScope();
            ReadoutHead head = heads[_heads[k].Key.Key];
            Tensor terms = head.forward(h);
            sumLog[k] = terms.select(1, 0).MoveToOuterDisposeScope();
            maxLog[k] = terms.select(1, 1).MoveToOuterDisposeScope();
            graphLog[k] = head.GraphTerm(g).MoveToOuterDisposeScope();
        }
        return (stack(sumLog, 1).MoveToOuterDisposeScope(), stack(maxLog, 1).MoveToOuterDisposeScope(),
            stack(graphLog, 1).MoveToOuterDisposeScope());
    }

    /// <summary>ln of each head's prediction [G, heads] (<see cref="Readout.Combine"/> of <see cref="ReadoutTerms"/> plus the offsets).</summary>
    public override Tensor forward(GraphBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        (Tensor sumLog, Tensor maxLog, Tensor graphLog) = ReadoutTerms(batch);
        Tensor offsets = tensor(_offsets, device: sumLog.device);
        return Readout.Combine(Dense(sumLog, batch), Dense(maxLog, batch), graphLog, offsets).MoveToOuterDisposeScope();
    }

    /// <summary>Node rows [N, heads] laid out [G, MaxNodes, heads], −∞ where a graph has fewer nodes.</summary>
    private static Tensor Dense(Tensor nodeRows, GraphBatch batch) =>
        Readout.Dense(nodeRows, batch.DensePosition, batch.GraphCount, batch.MaxNodes);
}
